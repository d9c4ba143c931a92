import { redactText } from "../shared/redact.ts";
import { own } from "../shared/own.ts";
import type { Sql } from "../storage/sql.ts";
import { digestRows, growDigest, insertDigest, openDigest, sessionAlertIdsBetween, setDigestCard } from "../storage/alert-repo.ts";
import { enqueueOrReplacePatch, enqueueOutbox } from "../storage/outbox-repo.ts";
import { COMPLAINT_LABEL, isComplaintType, type ComplaintType } from "../scoring/complaint-types.ts";
import { parseSessionMeta } from "../shared/session-meta.ts";
import { esc } from "../shared/card-markdown.ts";
import { boardButton, quoteText, type UiLang } from "./alert-card.ts";

/**
 * Alert storms. Lark takes about 5 messages a second per chat, so 30 sessions turning abnormal
 * together would reach the supervisors one card every 200 ms — the last after 6 s. Once
 * `minAlerts` sessions have alerted within `windowMs`, every further one also joins a single
 * live digest card per supervisor target, patched in place (at most one patch waiting at a
 * time, so it never queues behind itself); the per-session cards follow at Lark's pace.
 */
export const STORM = { minAlerts: 4, windowMs: 2 * 60_000, incidentMin: 5, maxListed: 150 };

export interface DigestEntry {
  alertId: number;
  severity: string;
  summary: string;
  /** The platform's session, chat or ticket id. */
  externalKey: string;
  channel: string;
  at: Date;
  cause?: ComplaintType;
  /** What the channel said the conversation is about, when it said (meta.carrier / meta.product). */
  carrier?: string;
  product?: string;
  quote?: string;
}

export interface Incident {
  cause: ComplaintType;
  carrier?: string;
  product?: string;
  count: number;
  minutes: number;
  examples: string[];
}

/**
 * Sessions that share a cause within the digest: the same complaint type (from the customers'
 * words), narrowed by carrier or product when the channel sent them. Largest first.
 */
export function findIncidents(entries: DigestEntry[], min = STORM.incidentMin): Incident[] {
  const groups = new Map<string, DigestEntry[]>();
  for (const e of entries) {
    if (!e.cause) continue;
    for (const key of [`${e.cause}|carrier|${e.carrier ?? ""}`, `${e.cause}|product|${e.product ?? ""}`, `${e.cause}||`]) groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const found: Incident[] = [];
  const covered = new Set<number>();
  // Most specific first (a carrier or product named), then the cause alone for what is left.
  const keys = [...groups.keys()].sort((a, b) => Number(b.endsWith("||") === false) - Number(a.endsWith("||") === false) || groups.get(b)!.length - groups.get(a)!.length);
  for (const key of keys) {
    const [cause, by, value] = key.split("|") as [ComplaintType, string, string];
    if (by && !value) continue;
    const members = groups.get(key)!.filter((e) => !covered.has(e.alertId));
    if (members.length < min) continue;
    for (const m of members) covered.add(m.alertId);
    const times = members.map((m) => m.at.getTime());
    found.push({
      cause,
      ...(by === "carrier" ? { carrier: value } : by === "product" ? { product: value } : {}),
      count: members.length,
      minutes: Math.max(1, Math.ceil((Math.max(...times) - Math.min(...times)) / 60_000)),
      examples: members.flatMap((m) => (m.quote ? [m.quote] : [])).slice(0, 3),
    });
  }
  return found.sort((a, b) => b.count - a.count);
}

const T = {
  zh: {
    title: (n: number) => `告警汇总：${n} 个会话需要关注`,
    subtitle: "多个会话同时出现异常，逐个会话的卡片随后送达",
    incident: (i: Incident) =>
      `**事件：${i.minutes} 分钟内 ${i.count} 位顾客反映${COMPLAINT_LABEL[i.cause].zh}问题${i.carrier ? `（承运商 ${esc(i.carrier)}）` : ""}${i.product ? `（商品 ${esc(i.product)}）` : ""}**`,
    example: "例",
    more: (n: number) => `……另有 ${n} 个会话`,
    sev: { critical: "紧急", warning: "关注" } as Record<string, string>,
  },
  en: {
    title: (n: number) => `Alert digest: ${n} sessions need attention`,
    subtitle: "Many sessions turned abnormal together; each one's own card follows",
    incident: (i: Incident) =>
      `**Incident: ${i.count} customers in ${i.minutes} min: ${COMPLAINT_LABEL[i.cause].en}${i.carrier ? `, carrier ${esc(i.carrier)}` : ""}${i.product ? `, product ${esc(i.product)}` : ""}**`,
    example: "e.g.",
    more: (n: number) => `…and ${n} more sessions`,
    sev: { critical: "critical", warning: "warning" } as Record<string, string>,
  },
};

/** The digest card (Card JSON 2.0): incidents first, then every session it covers by its platform id. */
export function digestCard(entries: DigestEntry[], lang: UiLang, consoleUrl?: string) {
  const t = T[lang];
  const incidents = findIncidents(entries);
  const critical = entries.some((e) => e.severity === "critical");
  const elements: Array<Record<string, unknown>> = [];
  for (const i of incidents) elements.push({ tag: "markdown", content: [t.incident(i), ...i.examples.map((q) => `> ${t.example} “${esc(q)}”`)].join("\n") });
  const shown = [...entries].sort((a, b) => Number(b.severity === "critical") - Number(a.severity === "critical") || a.at.getTime() - b.at.getTime()).slice(0, STORM.maxListed);
  const lines = shown.map((e) => `- ${e.severity === "critical" ? "🔴" : "🟠"} ${own(t.sev, e.severity) ?? e.severity}　**${esc(redactText(e.externalKey))}**　${esc(quoteText(e.summary, 50))}`);
  if (entries.length > shown.length) lines.push(t.more(entries.length - shown.length));
  elements.push({ tag: "markdown", content: lines.join("\n") });
  // The board ranks every session of the storm, and is where to work through them.
  if (consoleUrl) elements.push({ tag: "column_set", flex_mode: "flow", columns: [boardButton(consoleUrl, lang)] });
  return {
    schema: "2.0",
    config: { update_multi: true },
    header: { title: { tag: "plain_text", content: t.title(entries.length) }, subtitle: { tag: "plain_text", content: t.subtitle }, template: critical ? "red" : "orange" },
    body: { elements },
  };
}

/** The digest's entries, read in the caller's transaction. */
async function digestEntries(tx: Sql, alertIds: number[]): Promise<DigestEntry[]> {
  const byId = new Map((await digestRows(tx, alertIds)).map((a) => [a.id, a]));
  const str = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim().slice(0, 40) : undefined);
  return alertIds.flatMap((id) => {
    const a = byId.get(id);
    if (!a) return [];
    const meta = parseSessionMeta(a.meta);
    return [
      {
        alertId: id,
        severity: a.severity,
        summary: a.summary,
        externalKey: a.externalKey,
        channel: a.channel,
        at: a.createdAt,
        cause: isComplaintType(a.cause) ? a.cause : undefined,
        carrier: str(meta.carrier),
        product: str(meta.product),
        quote: a.quote ?? undefined,
      },
    ];
  });
}

/**
 * New alert episodes up to `now`: when they make a storm (at least STORM.minAlerts alerts within
 * the window), they and the others join the target's live digest — created, or patched.
 * `createOnly`: only when some target's digest card does not exist yet (returns false, having
 * done nothing, when every target already has one — the caller patches later, once for many).
 */
export async function joinDigest(tx: Sql, targets: Array<{ target: string }>, c: { lang: UiLang; consoleUrl?: string }, now: Date, o: { createOnly?: boolean } = {}): Promise<boolean> {
  if (!targets.length) return false;
  const since = new Date(now.getTime() - STORM.windowMs);
  const recent = await sessionAlertIdsBetween(tx, since, now);
  if (recent.length < STORM.minAlerts) return false;
  const opened = [];
  for (const { target } of targets) opened.push(await openDigest(tx, target, since));
  if (o.createOnly && opened.every((d) => d?.createOutboxId)) return false;
  for (const [i, { target }] of targets.entries()) {
    const open = opened[i];
    const ids = [...new Set([...(open?.alertIds ?? []), ...recent])];
    const card = digestCard(await digestEntries(tx, ids), c.lang, c.consoleUrl);
    if (!open?.createOutboxId) {
      const digestId = open?.id ?? (await insertDigest(tx, target, ids, now));
      const createId = await enqueueOutbox(tx, { kind: "message.create", target, payload: { msg_type: "interactive", content: card }, uuid: `digest-${digestId}-create-${i}` });
      await setDigestCard(tx, digestId, createId, ids, now);
      continue;
    }
    const version = await growDigest(tx, open.id, ids, now);
    await enqueueOrReplacePatch(tx, open.createOutboxId, { content: card }, `digest-${open.id}-v${version}`);
  }
  return true;
}
