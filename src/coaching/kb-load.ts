import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { z } from "zod";
import { parseFrontMatter } from "../shared/front-matter.ts";

/**
 * Knowledge-base articles from three formats:
 *   - a folder of Markdown files, each with front matter (id, title, lang, tags) and `##` sections;
 *   - CSV with a header row: id,title,lang,body[,tags] (tags separated by |);
 *   - JSON: an array of {id, title, lang, body, tags?}.
 */
/** The sample knowledge base shipped with CS Coach (e-commerce, zh and en). */
export const DEFAULT_KB_PATH = join(import.meta.dirname, "..", "..", "prompts", "kb");

export const articleSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  lang: z.enum(["zh", "en"]),
  body: z.string().min(1),
  tags: z.array(z.string()).default([]),
  source: z.string().optional(),
});
export type Article = z.infer<typeof articleSchema>;

function frontMatter(text: string, path: string): Article {
  const { meta, body } = parseFrontMatter(text, path);
  return articleSchema.parse({ ...meta, body, source: path });
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      if (row.some((x) => x !== "")) rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x !== "")) rows.push(row);
  return rows;
}

export function loadKb(path: string): Article[] {
  const st = statSync(path);
  if (st.isDirectory()) {
    return readdirSync(path, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md") && !f.toLowerCase().endsWith("readme.md"))
      .sort()
      .map((f) => frontMatter(readFileSync(join(path, f), "utf8"), join(path, f)));
  }
  const text = readFileSync(path, "utf8");
  if (extname(path) === ".json") return z.array(articleSchema).parse(JSON.parse(text)).map((a) => ({ ...a, source: path }));
  if (extname(path) === ".csv") {
    const [head, ...rows] = parseCsv(text);
    const col = (name: string) => head!.indexOf(name);
    return rows.map((r, i) =>
      articleSchema.parse({ id: r[col("id")], title: r[col("title")], lang: r[col("lang")], body: r[col("body")], tags: col("tags") >= 0 && r[col("tags")] ? r[col("tags")]!.split("|") : [], source: `${path}:${i + 2}` }),
    );
  }
  throw new Error(`${path}: a KB is a folder of .md files, a .csv or a .json file`);
}
