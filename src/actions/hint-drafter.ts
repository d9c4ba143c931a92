import { fillTemplate } from "../shared/template.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { hintsDrafting, hintToDraft, saveDraft, setHintStatus } from "../storage/hint-repo.ts";
import { sendHint, type HintContent, type WebhookFor } from "./hints.ts";
import type { LlmClient } from "../clients/llm.ts";
import { redactText } from "../shared/redact.ts";
import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { Database } from "../storage/db.ts";

const PROMPT = join(import.meta.dirname, "..", "..", "prompts", "kb-reply.md");
const draftSchema = z.object({ answerable: z.boolean(), reply: z.string().max(600), articleId: z.string() });

const cosine = (a: number[], b: number[]) => {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
};

/**
 * With an LLM configured, knowledge-base hints wait here ("drafting") instead of going out with
 * the raw passage: the candidates are re-ranked by combining BM25 with embedding similarity
 * (reciprocal-rank fusion), then the LLM drafts a reply grounded only in those passages — no
 * passage, no answer. Any failure sends the passage-based hint instead. Off the ingest path.
 */
export function createHintDrafter(db: Database, llm: LlmClient, pollMs: number, log: Logger, webhookFor: WebhookFor) {
  const embeddings = new Map<string, number[]>(); // passage text → vector (passages repeat; questions do not)
  const [system = "", user = ""] = readFileSync(PROMPT, "utf8")
    .replace(/<!--[\s\S]*?-->/, "")
    .split(/^# User\s*$/m);

  async function rerank(question: string, passages: NonNullable<HintContent["passages"]>) {
    const missing = passages.map((p) => p.text).filter((t) => !embeddings.has(t));
    const vectors = await llm.embed([redactText(question), ...missing]);
    for (const [i, t] of missing.entries()) embeddings.set(t, vectors[i + 1]!);
    const q = vectors[0]!;
    const byDense = [...passages].sort((a, b) => cosine(q, embeddings.get(b.text)!) - cosine(q, embeddings.get(a.text)!));
    const rrf = (p: (typeof passages)[number]) => 1 / (60 + passages.indexOf(p)) + 1 / (60 + byDense.indexOf(p));
    return [...passages].sort((a, b) => rrf(b) - rrf(a));
  }

  async function draft(hintId: number) {
    const { hint, agent } = await hintToDraft(db.sql, hintId);
    const c = JSON.parse(hint.content) as HintContent;
    let content = c;
    let title = hint.title;
    let refId = hint.refId;
    let status: "send" | "no_answer" = "send";
    let reason: string | undefined;
    try {
      const ranked = c.passages?.length && c.question ? await rerank(c.question, c.passages) : [];
      const answer = await llm.json({
        system: system.replace(/^# System\s*$/m, "").trim(),
        user: fillTemplate(user, {
          lang: c.lang,
          question: redactText(c.question ?? ""),
          passages: ranked.map((p) => `[${p.articleId}] ${p.title}\n${redactText(p.text)}`).join("\n\n"),
        }).trim(),
        name: "kb_reply",
        schema: draftSchema,
      });
      const used = ranked.find((p) => p.articleId === answer.articleId);
      if (!answer.answerable || !used || !answer.reply.trim()) {
        status = "no_answer";
        reason = "the LLM found no answer in the passages";
      } else {
        title = used.title;
        refId = used.articleId;
        content = { ...c, text: used.text, reply: answer.reply.trim(), source: `${used.title} (${used.articleId}) · LLM` };
      }
    } catch (e) {
      reason = `LLM draft failed, passage sent instead: ${(e as Error).message.slice(0, 200)}`;
      log.warn("hint draft failed; sending the passage", { hintId, error: (e as Error).message });
    }
    await db.sql.transaction(async (tx) => {
      await saveDraft(tx, hintId, { title, refId, content: JSON.stringify(content), reason: reason ?? null, noAnswer: status === "no_answer" });
      if (status === "send" && agent && !(await sendHint(tx, webhookFor, { id: hintId, kind: hint.kind, title, sessionId: hint.sessionId }, content))) {
        await setHintStatus(tx, hintId, "undelivered");
      }
    });
  }

  async function runOnce(): Promise<number> {
    const ids = await hintsDrafting(db.sql, 5);
    await Promise.all(ids.map((id) => draft(id)));
    return ids.length;
  }

  const loop = createWorkerLoop("hint drafter", runOnce, pollMs, log);
  return { ...loop, runOnce };
}
