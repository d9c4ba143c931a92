/**
 * Why a team-supplied pattern (POLICY_FILE) could make one message freeze the bot, or undefined
 * when it cannot. JavaScript's engine backtracks: a repeated group that itself repeats
 * (`^(a+)+$`, `(\w+\s?)*`) takes exponential time on a near-miss, and a backreference can too.
 * Such patterns are refused when the policy loads; every team pattern also sees at most
 * TEAM_PATTERN_INPUT characters of a message, so what remains is bounded.
 */
export const TEAM_PATTERN_INPUT = 4_000;
const MAX_PATTERN = 300;

/** `*`, `+`, `{n,}`, or `{n,m}` with a wide range: repeats that can grow with the input. */
function quantifierAt(src: string, i: number): { end: number; unbounded: boolean } | undefined {
  const c = src[i];
  if (c === "*" || c === "+") return { end: i + 1 + (src[i + 1] === "?" ? 1 : 0), unbounded: true };
  if (c === "?") return { end: i + 1, unbounded: false };
  if (c === "{") {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
    if (!m) return undefined;
    const max = m[2] === undefined ? Number(m[1]) : m[3] === "" ? Infinity : Number(m[3]);
    return { end: i + m[0].length + (src[i + m[0].length] === "?" ? 1 : 0), unbounded: max > 10 };
  }
  return undefined;
}

export function regexRisk(src: string): string | undefined {
  if (src.length > MAX_PATTERN) return `is longer than ${MAX_PATTERN} characters`;
  if (/\\[1-9]|\\k</.test(src)) return "uses a backreference, which can take exponential time";
  // One frame per open group: does anything inside repeat without bound?
  const stack: boolean[] = [false];
  let last: { group: boolean; repeats: boolean } | undefined;
  for (let i = 0; i < src.length; ) {
    const c = src[i]!;
    if (c === "\\") {
      last = { group: false, repeats: false };
      i += 2;
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (src[j] === "^") j++;
      if (src[j] === "]") j++;
      while (j < src.length && src[j] !== "]") j += src[j] === "\\" ? 2 : 1;
      last = { group: false, repeats: false };
      i = j + 1;
      continue;
    }
    if (c === "(") {
      stack.push(false);
      last = undefined;
      i += src[i + 1] === "?" ? (src[i + 2] === "<" && src[i + 3] !== "=" && src[i + 3] !== "!" ? src.indexOf(">", i) + 1 : 3) : 1;
      continue;
    }
    if (c === ")") {
      const inner = stack.pop() ?? false;
      stack[stack.length - 1] ||= inner;
      last = { group: true, repeats: inner };
      i++;
      continue;
    }
    const q = quantifierAt(src, i);
    if (q && last) {
      if (last.group && last.repeats && q.unbounded) return `repeats a group that itself repeats ("${src.slice(0, q.end)}…"): this can take exponential time on a near-miss`;
      if (q.unbounded) stack[stack.length - 1] = true;
      last = undefined;
      i = q.end;
      continue;
    }
    last = { group: false, repeats: false };
    i++;
  }
  return undefined;
}
