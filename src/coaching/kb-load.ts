import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { extname, join, sep } from "node:path";
import { z } from "zod";
import { parseFrontMatter } from "../shared/front-matter.ts";
import { parseJsonFile } from "../shared/parse-json.ts";

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
  return article({ ...meta, body, source: path }, path);
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

const REQUIRED_COLUMNS = ["id", "title", "lang", "body"];

/** A zod failure on one article as one line: where, which field, what is wrong. */
function article(value: unknown, where: string): Article {
  const r = articleSchema.safeParse(value);
  if (r.success) return r.data;
  throw new Error(`${where}: ${r.error.issues.map((i) => `${i.path.join(".") || "article"} ${i.message}`).join("; ")}`);
}

/** Loads a KB from a folder, a CSV or a JSON file; a problem throws one line naming the file (and row). */
export function loadKb(path: string): Article[] {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const st = statSync(path);
  if (st.isDirectory()) {
    // Only files really inside the folder: a symlink out of it (to /etc, say) is not the team's KB.
    const root = realpathSync(path);
    const files = readdirSync(path, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md") && !f.toLowerCase().endsWith("readme.md"))
      .filter((f) => {
        const real = realpathSync(join(path, f));
        return real === root || real.startsWith(root + sep);
      })
      .sort();
    if (!files.length) throw new Error(`${path} has no articles (Markdown files with front matter id, title, lang)`);
    return files.map((f) => frontMatter(readFileSync(join(path, f), "utf8"), join(path, f)));
  }
  const text = readFileSync(path, "utf8");
  if (extname(path) === ".json") {
    const list = parseJsonFile(text, path);
    if (!Array.isArray(list)) throw new Error(`${path}: must be a JSON array of {id, title, lang, body, tags?}`);
    return list.map((a, i) => ({ ...article(a, `${path}[${i}]`), source: path }));
  }
  if (extname(path) === ".csv") {
    const [head = [], ...rows] = parseCsv(text);
    const names = head.map((h) => h.trim().toLowerCase());
    const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
    if (missing.length) throw new Error(`${path}: the header row must name id,title,lang,body (tags optional); missing: ${missing.join(", ")}`);
    const col = (name: string) => names.indexOf(name);
    return rows.map((r, i) =>
      article(
        {
          id: r[col("id")],
          title: r[col("title")],
          lang: r[col("lang")],
          body: r[col("body")],
          tags: col("tags") >= 0 && r[col("tags")] ? r[col("tags")]!.split("|") : [],
          source: `${path}:${i + 2}`,
        },
        `${path}:${i + 2}`,
      ),
    );
  }
  throw new Error(`${path}: a KB is a folder of .md files, a .csv or a .json file`);
}
