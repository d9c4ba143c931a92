import { z } from "zod";
import { replaySession } from "../engine/replay-session.ts";
import { CANONICAL_KINDS } from "../scoring/compliance/policy-schema.ts";
import type { CompiledPolicy, RuleHit } from "../scoring/compliance/engine.ts";
import type { ZhModel } from "../scoring/emotion/zh-model.ts";
import { pct } from "./metrics.ts";
import { readJsonl } from "./read-jsonl.ts";

const session = z.object({
  id: z.string(),
  lang: z.enum(["zh", "en"]).optional(),
  messages: z.array(z.object({ role: z.enum(["customer", "agent"]), text: z.string(), ts: z.number().optional() })),
  expected: z.array(z.object({ kind: z.string(), index: z.number().int().min(0) })),
});

/** A predicted violation of the right kind within ±1 message of the expected index is a hit. */
export function matchHits(expected: Array<{ kind: string; index: number }>, predicted: Array<{ kind: string; index: number }>) {
  const used = new Set<number>();
  const matched: boolean[] = predicted.map(() => false);
  for (const e of expected) {
    const j = predicted.findIndex((p, k) => !used.has(k) && p.kind === e.kind && Math.abs(p.index - e.index) <= 1);
    if (j >= 0) {
      used.add(j);
      matched[j] = true;
    }
  }
  return { tp: used.size, fp: predicted.length - used.size, fn: expected.length - used.size, matched };
}

export function evalCompliance(path: string, c: CompiledPolicy, model: ZhModel) {
  const sessions = readJsonl(path, session);
  const perKind = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (k: string, d: { tp?: number; fp?: number; fn?: number }) => {
    const s = perKind.get(k) ?? { tp: 0, fp: 0, fn: 0 };
    s.tp += d.tp ?? 0;
    s.fp += d.fp ?? 0;
    s.fn += d.fn ?? 0;
    perKind.set(k, s);
  };
  const mistakes: Array<{ id: string; missed: Array<{ kind: string; index: number }>; extra: RuleHit[] }> = [];
  let qaTotal = 0;
  for (const s of sessions) {
    const { hits, qa } = replaySession({ policy: () => c, zhModel: model }, s.messages);
    qaTotal += qa;
    const kinds = new Set([...hits.map((h) => h.kind), ...s.expected.map((e) => e.kind)]);
    const missed: Array<{ kind: string; index: number }> = [];
    const extra: RuleHit[] = [];
    for (const k of kinds) {
      const exp = s.expected.filter((e) => e.kind === k);
      const pred = hits.filter((h) => h.kind === k);
      const m = matchHits(exp, pred);
      bump(k, m);
      const matchedIdx = new Set(pred.filter((_, i) => m.matched[i]).map((p) => p.index));
      missed.push(...exp.filter((e) => ![...matchedIdx].some((i) => Math.abs(i - e.index) <= 1)));
      extra.push(...pred.filter((_, i) => !m.matched[i]));
    }
    if (missed.length || extra.length) mistakes.push({ id: s.id, missed, extra });
  }
  const rows = [...new Set([...CANONICAL_KINDS, ...perKind.keys()])].map((kind) => {
    const s = perKind.get(kind) ?? { tp: 0, fp: 0, fn: 0 };
    const precision = s.tp + s.fp ? s.tp / (s.tp + s.fp) : s.fn ? 0 : 1;
    const recall = s.tp + s.fn ? s.tp / (s.tp + s.fn) : 1;
    return { kind, ...s, precision, recall };
  });
  const all = rows.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
  const precision = all.tp + all.fp ? all.tp / (all.tp + all.fp) : 1;
  const recall = all.tp + all.fn ? all.tp / (all.tp + all.fn) : 1;
  return {
    n: sessions.length,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    perKind: rows,
    mistakes,
    meanQa: sessions.length ? qaTotal / sessions.length : 0,
  };
}

export function printCompliance(r: ReturnType<typeof evalCompliance>): string {
  return [
    `n ${r.n} sessions   precision ${pct(r.precision)}%   recall ${pct(r.recall)}%   F1 ${r.f1.toFixed(3)}   mean QA ${r.meanQa.toFixed(1)}`,
    "",
    "kind                    precision  recall   tp   fp   fn",
    ...r.perKind.map((k) => `${k.kind.padEnd(22)}  ${pct(k.precision)}%   ${pct(k.recall)}%  ${String(k.tp).padStart(3)}  ${String(k.fp).padStart(3)}  ${String(k.fn).padStart(3)}`),
    ...(r.mistakes.length ? ["", "differences (session: missed expected / unexpected hits)"] : []),
    ...r.mistakes
      .slice(0, 20)
      .map((m) => `  ${m.id}: missed [${m.missed.map((x) => `${x.kind}@${x.index}`).join(", ")}] extra [${m.extra.map((x) => `${x.kind}@${x.index} "${x.evidence}"`).join(", ")}]`),
  ].join("\n");
}
