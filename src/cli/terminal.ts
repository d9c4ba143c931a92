/** Terminal output that lines up with Chinese text (wide characters take two columns). */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1faff}]/u;

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/** Cut to at most `width` columns (with … when cut), then pad to exactly `width`. */
export function pad(s: string, width: number): string {
  const flat = s.replace(/\s+/g, " ");
  let out = "";
  let w = 0;
  for (const ch of flat) {
    const cw = WIDE.test(ch) ? 2 : 1;
    if (w + cw > width - (displayWidth(flat) > width ? 1 : 0)) {
      out += "…";
      w += 1;
      break;
    }
    out += ch;
    w += cw;
  }
  return out + " ".repeat(Math.max(0, width - w));
}

export function colors(enabled: boolean) {
  const c = (code: number) => (s: string) => (enabled ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { red: c(31), green: c(32), yellow: c(33), blue: c(34), magenta: c(35), cyan: c(36), dim: c(2), bold: c(1) };
}
