/**
 * `---` front matter (key: value, key: [a, b]) and the body after it, as our Markdown content
 * files (knowledge-base articles, lessons) use it. Values stay strings; the caller validates.
 */
export function parseFrontMatter(text: string, path: string): { meta: Record<string, string | string[]>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text.replace(/\r\n/g, "\n"));
  if (!m) throw new Error(`${path}: missing front matter (--- key: value --- at the top)`);
  const meta: Record<string, string | string[]> = {};
  for (const line of m[1]!.split("\n")) {
    const kv = /^(\w+):\s*(.*)$/.exec(line);
    if (!kv) continue;
    const v = kv[2]!.trim();
    meta[kv[1]!] = v.startsWith("[")
      ? v
          .slice(1, -1)
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean)
      : v;
  }
  return { meta, body: m[2]!.trim() };
}
