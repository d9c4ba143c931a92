import { RE2JS } from "re2js";

/**
 * Team-written patterns (POLICY_FILE: `regex` rules and "/…/" phrase families) run on RE2JS,
 * an automaton engine whose time grows linearly with the text whatever the pattern:
 * JavaScript's own engine backtracks, and `(a|aa)+$` or `.*.*.*x` take minutes on a reply of a
 * few hundred characters. RE2 has no backreferences or lookarounds; a pattern that needs them
 * is refused with that reason when the policy loads.
 *
 * Linear still has a slope: a match costs about (program size × characters). Both are
 * bounded, so one pattern on one message costs a few milliseconds at worst.
 */
export const PATTERN_INPUT = 1_000;
/** Instructions in one compiled pattern; the default policy's largest has 84. */
export const MAX_PROGRAM = 250;
/** Instructions in all of a policy's patterns together; the default policy's 30 have 1,105. */
export const MAX_POLICY_PROGRAM = 3_000;
const MAX_SOURCE = 300;

interface LinearPattern {
  source: string;
  /** The first match in the text's first PATTERN_INPUT characters, if any. */
  find(text: string): string | undefined;
  test(text: string): boolean;
}

/** Why a pattern cannot be used, in words for the policy's author; undefined when it can. */
export function patternProblem(src: string): string | undefined {
  if (src.length > MAX_SOURCE) return `is longer than ${MAX_SOURCE} characters`;
  let re: RE2JS;
  try {
    re = RE2JS.compile(src, RE2JS.CASE_INSENSITIVE);
  } catch (e) {
    const why = (e as Error).message.replace(/^error parsing regexp: /, "");
    return `cannot run in linear time (${why}); backreferences and lookarounds are not supported`;
  }
  if (re.programSize() > MAX_PROGRAM) return `is too large once compiled (${re.programSize()} steps, at most ${MAX_PROGRAM}): use fewer or smaller counted repeats`;
  return undefined;
}

/** Compiled steps of a pattern patternProblem accepted (what MAX_POLICY_PROGRAM sums). */
export const programSize = (src: string) => RE2JS.compile(src, RE2JS.CASE_INSENSITIVE).programSize();

/** Compiles a pattern checked by patternProblem (case-insensitive, as policy patterns always are). */
function compileLinear(src: string): LinearPattern {
  const problem = patternProblem(src);
  if (problem) throw new Error(`pattern ${src} ${problem}`);
  const re = RE2JS.compile(src, RE2JS.CASE_INSENSITIVE);
  const bounded = (t: string) => (t.length > PATTERN_INPUT ? t.slice(0, PATTERN_INPUT) : t);
  return {
    source: src,
    find(text) {
      const m = re.matcher(bounded(text));
      return m.find() ? (m.group() ?? "") : undefined;
    },
    test: (text) => re.matcher(bounded(text)).find(),
  };
}

/**
 * Several patterns asked together: one linear pass over the text for all of them (RE2 runs the
 * alternation as one automaton; a call costs microseconds however many patterns there are), and
 * only on a hit the patterns in their order, for the first one's match text.
 */
export function compileLinearSet(srcs: readonly string[]): { find(text: string): string | undefined; test(text: string): boolean } {
  const each = srcs.map(compileLinear);
  if (!each.length) return { find: () => undefined, test: () => false };
  const any = RE2JS.compile(srcs.map((s) => `(?:${s})`).join("|"), RE2JS.CASE_INSENSITIVE);
  const bounded = (t: string) => (t.length > PATTERN_INPUT ? t.slice(0, PATTERN_INPUT) : t);
  return {
    find(text) {
      if (!any.test(bounded(text))) return undefined;
      for (const re of each) {
        const m = re.find(text);
        if (m) return m; // an empty match ("(a|a)*$" matches anywhere) is no evidence
      }
      return undefined;
    },
    test: (text) => any.test(bounded(text)),
  };
}
