import type { Logger } from "../shared/logger.ts";
import type { Thresholds } from "../scoring/thresholds.ts";
import type { Finding, FindingSeverity } from "../detection/types.ts";
import type { Sql } from "../storage/sql.ts";
import { alertCardData, agentAlertsSince, attachFindings, customerWords, getAlert, growAlert, insertAlert, latestSessionAlert, setAlertCards, type AlertRow } from "../storage/alert-repo.ts";
import { participantName, sessionAgent } from "../storage/conversation-repo.ts";
import { enqueueOrReplacePatch, enqueueOutbox } from "../storage/outbox-repo.ts";
import { parseSessionMeta, sentChannel } from "../shared/session-meta.ts";
import { quoteText, renderAlertCard, type AlertView, type UiLang } from "./alert-card.ts";
import { complaintType } from "../scoring/complaint-types.ts";
import { describeFinding, findingsForCard } from "../detection/describe-finding.ts";
import { joinDigest } from "./alert-digest.ts";

export interface AlertConfig {
  supervisorChatId?: string;
  supervisorOpenIds: string[];
  lang: UiLang;
  /** Dry-run with no supervisor configured: still "send" (print) cards, so a trial shows them. */
  dryRun?: boolean;
  /** Rule kind → the name people use, in `lang` (from the current policy). */
  ruleName: (kind: string) => string;
  /** Host of Lark's AppLink for "open conversation" (applink.feishu.cn or applink.larksuite.com). */
  applinkHost: string;
  /** Another platform's own feed of hints and alerts, by ingest channel. */
  webhookFor?: (channel: string | undefined) => string | undefined;
  /** PUBLIC_URL: cards link to the console's page for the session. */
  consoleUrl?: string;
  /** The team's time zone (TZ): times on cards are on its clock. */
  tz: string;
  log?: Logger;
}

/** An ingest session's platform hears about its alerts as they change (its channel webhook). */
async function postToChannel(tx: Sql, cfg: AlertConfig, a: AlertRow, v: AlertView) {
  const url = cfg.webhookFor && v.session?.channel === "api" ? cfg.webhookFor(v.session.sentChannel) : undefined;
  if (!url) return;
  const findings = findingsForCard(v.findings).map((f) => ({ detector: f.detector, severity: f.severity, text: describeFinding(f, cfg.lang, cfg.ruleName) }));
  await enqueueOutbox(tx, {
    kind: "webhook.post",
    target: url,
    payload: { type: "alert", sessionId: v.session!.externalKey, alert: { id: a.id, status: a.status, severity: a.severity, actedBy: a.actedBy, findings } },
    uuid: `alert-${a.id}-v${a.version}-webhook`,
  });
}

const RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };
const maxSeverity = (a: string, b: string) => (RANK[b]! > RANK[a]! ? b : a);

/**
 * Where alert cards go: the supervisors' group chat, or else one DM to each supervisor. Each
 * target says who may be buzzed on its card: only people who can see that card.
 */
export function cardTargets(cfg: Pick<AlertConfig, "supervisorChatId" | "supervisorOpenIds" | "dryRun">): Array<{ target: string; buzz: string[] }> {
  if (cfg.supervisorChatId) return [{ target: `chat_id:${cfg.supervisorChatId}`, buzz: cfg.supervisorOpenIds }];
  if (cfg.supervisorOpenIds.length) return cfg.supervisorOpenIds.map((id) => ({ target: `open_id:${id}`, buzz: [id] }));
  return cfg.dryRun ? [{ target: "chat_id:(SUPERVISOR_CHAT_ID not set)", buzz: [] }] : [];
}

/** Keys a channel sends in `meta` that are plumbing, not something a supervisor reads. */
const HIDDEN_META = new Set(["chatType", "threadId", "parentId", "channel", "url", "conversationUrl", "link", "agentOpenId", "chatId", "ticketMessageId", "ticketStatus"]);

/** orderId first, then the channel's other scalar facts (at most five in all). */
function shownMeta(meta: Record<string, unknown>): Array<[string, string]> {
  const keys = Object.keys(meta).filter((k) => !HIDDEN_META.has(k) && ["string", "number", "boolean"].includes(typeof meta[k]) && String(meta[k]).length > 0);
  keys.sort((a, b) => (a === "orderId" ? -1 : b === "orderId" ? 1 : 0));
  return keys.slice(0, 5).map((k) => [k, String(meta[k])]);
}

const isHttpUrl = (v: unknown): v is string => typeof v === "string" && /^https?:\/\/[^\s]+$/.test(v) && v.length <= 2000;

/** A Lark chat opens by AppLink; another platform's conversation by the URL it sent. */
function conversationLink(channel: string, externalKey: string, meta: Record<string, unknown>, applinkHost: string): string | undefined {
  const sent = [meta.url, meta.conversationUrl, meta.link].find(isHttpUrl);
  if (sent) return sent;
  const chatId = channel === "lark_group" || channel === "lark_p2p" ? externalKey : typeof meta.chatId === "string" ? meta.chatId : undefined;
  return chatId?.startsWith("oc_") ? `https://${applinkHost}/client/chat/open?openChatId=${encodeURIComponent(chatId)}` : undefined;
}

/** Everything the card shows, read in the caller's transaction. */
export async function alertView(tx: Sql, alertId: number, cfg: Pick<AlertConfig, "lang" | "ruleName" | "applinkHost" | "consoleUrl" | "tz">): Promise<AlertView> {
  const { alert: a, findings, session: s, people, recent } = await alertCardData(tx, alertId);
  let session: AlertView["session"];
  if (s) {
    const who = (id: string | null) => {
      const p = people.find((x) => x.id === id);
      return p ? { name: p.name ?? p.externalId, openId: p.platform === "lark" ? p.externalId : undefined } : undefined;
    };
    const meta = parseSessionMeta(s.meta);
    session = {
      channel: s.channel,
      sentChannel: sentChannel(meta),
      externalKey: s.externalKey,
      agent: who(s.agentId),
      customer: who(s.customerId),
      qaScore: s.qaScore,
      meta: shownMeta(meta),
      link: conversationLink(s.channel, s.externalKey, meta, cfg.applinkHost),
      // Our own id in the path, never the customer's: no PII in URLs.
      consoleLink: cfg.consoleUrl ? `${cfg.consoleUrl}/console/sessions/${encodeURIComponent(s.id)}` : undefined,
      assignedTo: s.assignedTo,
    };
  }
  return {
    alertId: a.id,
    kind: a.kind as AlertView["kind"],
    status: a.status,
    severity: a.severity,
    summary: a.summary,
    actedBy: a.actedBy,
    actedAt: a.actedAt,
    snoozedUntil: a.snoozedUntil,
    session,
    // A wellbeing alert is about an agent: the board filtered to their sessions.
    agentBoardLink: a.kind === "wellbeing" && a.agentId && cfg.consoleUrl ? `${cfg.consoleUrl}/console?agent=${encodeURIComponent(a.agentId)}` : undefined,
    findings: findings.map((f) => ({
      detector: f.detector,
      severity: f.severity,
      summary: f.summary,
      evidence: JSON.parse(f.evidence) as string[],
      facts: f.facts ? (JSON.parse(f.facts) as Record<string, unknown>) : undefined,
    })),
    trajectory: recent.filter((m) => m.role === "customer" && m.valence !== null).map((m) => m.valence!),
    lastMessages: recent.slice(-4).map((m) => ({ role: m.role, text: m.text })),
    lang: cfg.lang,
    tz: cfg.tz,
    ruleName: cfg.ruleName,
  };
}

/** Every card this alert has (one per supervisor when cards go by DM), by create outbox id. */
export function cardOutboxIds(a: { createOutboxId: number | null; cardOutboxIds: string | null }): number[] {
  if (a.cardOutboxIds) return JSON.parse(a.cardOutboxIds) as number[];
  return a.createOutboxId ? [a.createOutboxId] : [];
}

/** Patches every copy of the alert's card to its current state (after an action, or a new finding). */
export async function patchAlertCards(tx: Sql, cfg: AlertConfig, alertId: number): Promise<void> {
  await publish(tx, cfg, alertId, "patch", false);
}

/** Sends a new card (and a buzz when critical), or patches the episode's cards in place; the channel's webhook hears of it too. */
async function publish(tx: Sql, cfg: AlertConfig, alertId: number, mode: "create" | "patch", buzz: boolean) {
  const a = await getAlert(tx, alertId);
  const view = await alertView(tx, alertId, cfg);
  await postToChannel(tx, cfg, a, view);
  const targets = cardTargets(cfg);
  if (!targets.length) return; // no card to send: the alert is still stored, visible through the API
  const card = renderAlertCard(view, (e) => cfg.log?.error("alert card could not be drawn; sent a plain one", { alertId, error: e }));
  let ids = cardOutboxIds(a);
  if (mode === "create" || !ids.length) {
    ids = [];
    for (const [i, t] of targets.entries()) {
      ids.push(await enqueueOutbox(tx, { kind: "message.create", target: t.target, payload: { msg_type: "interactive", content: card }, uuid: `alert-${a.id}-create${i ? `-${i}` : ""}` }));
    }
    await setAlertCards(tx, a.id, ids);
  } else {
    // A patch still waiting takes the newest card instead of queuing a second one behind it.
    for (const [i, createId] of ids.entries()) await enqueueOrReplacePatch(tx, createId, { content: card }, `alert-${a.id}-v${a.version}-${i}`);
  }
  if (!buzz) return;
  for (const [i, t] of targets.entries()) {
    if (!t.buzz.length || !ids[i]) continue;
    await enqueueOutbox(tx, { kind: "message.urgent", target: "", dependsOnId: ids[i], payload: { user_id_list: t.buzz }, uuid: `alert-${a.id}-urgent-v${a.version}-${i}` });
  }
}

/** The complaint type the customer's recent words point to, and their latest words (for the storm digest). */
async function aboutWhat(tx: Sql, sessionId: string): Promise<{ cause: string | null; quote: string | null }> {
  const words = await customerWords(tx, sessionId);
  return { cause: complaintType(words.join("\n")) ?? null, quote: words.length ? quoteText(words[words.length - 1]!, 40) : null };
}

/**
 * One alert per session episode. New alerting findings either update the open episode (card
 * patched in place; a buzz only when it turns critical), are attached quietly to an episode a
 * supervisor closed within the cooldown (unless it turns critical), or open a new episode.
 */
export async function raiseAlert(tx: Sql, cfg: AlertConfig, t: Thresholds, sessionId: string, findingIds: number[], findings: Finding[], now: Date): Promise<{ alertId: number; created: boolean }> {
  const severity = findings.reduce<string>((m, f) => maxSeverity(m, f.severity), "warning") as FindingSeverity;
  const summary = findings[findings.length - 1]!.summary;
  const latest = await latestSessionAlert(tx, sessionId);
  const turnsCritical = severity === "critical" && latest?.severity !== "critical";
  const openEpisode = latest && (latest.status === "open" || latest.status === "snoozed");
  const coolingDown = latest?.actedAt && now.getTime() - latest.actedAt.getTime() < t.cooldownMinutes * 60_000;
  if (latest && (openEpisode || (coolingDown && !turnsCritical))) {
    const snoozed = latest.status === "snoozed" && latest.snoozedUntil && latest.snoozedUntil > now;
    // What the customer is on about is read once it has a cause; until then, with each growth.
    const about = latest.cause ? {} : await aboutWhat(tx, sessionId);
    await growAlert(tx, latest.id, { severity: maxSeverity(latest.severity, severity), summary, findings: findings.length, ...about, now });
    await attachFindings(tx, latest.id, findingIds);
    await publish(tx, cfg, latest.id, "patch", Boolean(openEpisode && turnsCritical && !snoozed));
    return { alertId: latest.id, created: false };
  }
  const alertId = await insertAlert(tx, {
    kind: "session",
    sessionId,
    agentId: await sessionAgent(tx, sessionId),
    severity,
    summary,
    findingCount: findings.length,
    ...(await aboutWhat(tx, sessionId)),
    now,
  });
  await attachFindings(tx, alertId, findingIds);
  await publish(tx, cfg, alertId, "create", severity === "critical");
  return { alertId, created: true };
}

/**
 * After new alert episodes: when they make a storm, they join the supervisors' live digest card.
 * `createOnly`: only if the card does not exist yet (see joinDigest).
 */
export async function joinStormDigest(tx: Sql, cfg: AlertConfig, now: Date, o: { createOnly?: boolean } = {}): Promise<boolean> {
  return joinDigest(tx, cardTargets(cfg), { lang: cfg.lang, consoleUrl: cfg.consoleUrl }, now, o);
}

/** Detectors whose findings mean the customer was hostile (wellbeing, and the console's agent panel). */
export const HOSTILE_DETECTORS: ReadonlySet<string> = new Set(["negativity", "anger_spike", "escalation", "unresolved", "refund_repeated"]);

/**
 * Agent wellbeing: when one agent has absorbed many hostile sessions within the window, tell
 * the supervisor (once per window) so they can offer a break.
 */
export async function checkWellbeing(tx: Sql, cfg: AlertConfig, t: Thresholds, agentId: string | null | undefined, detectors: string[], now: Date) {
  if (!agentId || !detectors.some((d) => HOSTILE_DETECTORS.has(d))) return;
  const since = new Date(now.getTime() - t.wellbeingWindowMinutes * 60_000);
  const { sessions, wellbeingRaised } = await agentAlertsSince(tx, agentId, since);
  if (sessions.size < t.wellbeingHostileSessions || wellbeingRaised) return;
  const agent = await participantName(tx, agentId);
  const who = agent?.name ?? agent?.externalId ?? agentId;
  const summary =
    cfg.lang === "zh"
      ? `${who} 在 ${t.wellbeingWindowMinutes} 分钟内处理了 ${sessions.size} 个情绪激烈的会话，建议安排短暂休息`
      : `${who} handled ${sessions.size} hostile sessions in ${t.wellbeingWindowMinutes} minutes: consider a short break`;
  const alertId = await insertAlert(tx, { kind: "wellbeing", sessionId: null, agentId, severity: "warning", summary, findingCount: 0, now });
  await publish(tx, cfg, alertId, "create", false);
}
