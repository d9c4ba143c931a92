import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { parseFrontMatter } from "../shared/front-matter.ts";

export const LESSONS_DIR = join(import.meta.dirname, "..", "..", "prompts", "lessons");

/**
 * A micro-lesson: prompts/lessons/<id>.<lang>.md with front matter (id, lang, title,
 * triggers — rule kinds or detectors that call for it, tip, reply) and a longer read for
 * training as the body. Validated on load; a team's own folder (LESSONS_DIR) adds or overrides.
 */
export const lessonSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  lang: z.enum(["zh", "en"]),
  title: z.string().min(1),
  triggers: z.array(z.string()).default([]),
  tip: z.string().min(1),
  reply: z.string().min(1),
  body: z.string().min(1),
});
export type Lesson = z.infer<typeof lessonSchema>;

function parse(text: string, path: string): Lesson {
  const { meta, body } = parseFrontMatter(text, path);
  const r = lessonSchema.safeParse({ ...meta, body });
  if (!r.success) throw new Error(`${path}: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return r.data;
}

export function loadLessons(dirs: string[] = [LESSONS_DIR]) {
  const byKey = new Map<string, Lesson>();
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new Error(`lessons folder ${dir} does not exist`);
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith(".md"))
      .sort()) {
      const l = parse(readFileSync(join(dir, f), "utf8"), join(dir, f));
      byKey.set(`${l.id}.${l.lang}`, l);
    }
  }
  const byTrigger = new Map<string, string>();
  for (const l of byKey.values()) for (const t of l.triggers) if (!byTrigger.has(t)) byTrigger.set(t, l.id);
  const get = (id: string, lang: "zh" | "en") => byKey.get(`${id}.${lang}`) ?? byKey.get(`${id}.${lang === "zh" ? "en" : "zh"}`);
  return {
    size: byKey.size,
    get,
    /** The lesson for a rule kind or a detector, in the conversation's language. */
    forTrigger: (trigger: string, lang: "zh" | "en") => {
      const id = byTrigger.get(trigger);
      return id ? get(id, lang) : undefined;
    },
  };
}

export type Lessons = ReturnType<typeof loadLessons>;
