/**
 * JSON.parse with an error a person can act on: the file, the line and the column
 * ("policy.json:12:5: Unexpected token }"), in one line.
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (!pos) throw new Error(`${file}: invalid JSON: ${msg}`);
    const at = Number(pos[1]);
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    throw new Error(`${file}:${line}:${column}: invalid JSON: ${msg.replace(/\s*in JSON at position \d+.*$/, "")}`);
  }
}
