import type { Logger } from "../shared/logger.ts";
import { createWorkerLoop } from "../shared/worker-loop.ts";
import type { Database } from "../storage/db.ts";
import { applyJudgement, loadHitsAt, loadTurns, pendingLlmScores, recordLlmFailure, saveHits, storeAggregates } from "../storage/score-repo.ts";
import type { Scorers } from "../scoring/assess.ts";
import { detectLang } from "../scoring/text.ts";
import { judgeRefinement } from "../engine/turn-engine.ts";
import type { LlmJudge } from "../scoring/llm-judge.ts";

export const LLM_MAX_ATTEMPTS = 3;
const BATCH = 8;

/**
 * Refines stored scores with the LLM, off the ingest path: every new score starts "pending",
 * this worker asks the judge, and on success replaces the emotion and adds the rubric hits.
 * A timeout or a malformed answer leaves the offline score in force (after a few attempts the
 * row is marked failed). The network call happens outside any database transaction.
 */
export function createLlmWorker(db: Database, judge: LlmJudge, scorers: Scorers, pollMs: number, log: Logger) {
  async function refine(row: Awaited<ReturnType<typeof pendingLlmScores>>[number]) {
    const attempts = row.llmAttempts + 1;
    try {
      const turns = await loadTurns(db.sql, row.sessionId);
      const i = turns.findIndex((t) => t.messageId === row.messageId);
      if (i < 0) throw new Error("message not found");
      const { judgement, hits, cached } = await judge.judge(scorers.policy(), turns, i);
      await db.sql.transaction(async (tx) => {
        await applyJudgement(tx, row.messageId, judgement, { valence: row.valence, category: row.category }, attempts);
        const earlier = await loadHitsAt(tx, row.sessionId, turns);
        await saveHits(tx, row.sessionId, hits, turns, "llm");
        // The same engine as live processing: the session's numbers with the refined turn.
        const refined = turns[i]!.role === "customer" ? { valence: judgement.emotion.valence } : {};
        const r = judgeRefinement(scorers, { lang: detectLang(turns.map((t) => t.text).join(" ")), turns, hits: earlier }, i, refined, hits);
        await storeAggregates(tx, row.sessionId, r.aggregates, turns);
      });
      log.debug("llm refined a score", { messageId: row.messageId, cached, hits: hits.map((h) => h.kind) });
    } catch (e) {
      const final = attempts >= LLM_MAX_ATTEMPTS;
      log.warn(final ? "llm judge failed; the offline score stands" : "llm judge failed; will retry", { messageId: row.messageId, attempts, error: (e as Error).message });
      await recordLlmFailure(db.sql, row.messageId, attempts, final, (e as Error).message).catch(() => undefined);
    }
  }

  async function runOnce(): Promise<number> {
    const rows = await pendingLlmScores(db.sql, BATCH);
    await Promise.all(rows.map(refine));
    return rows.length;
  }

  const loop = createWorkerLoop("llm worker", runOnce, pollMs, log);
  return { ...loop, runOnce };
}
