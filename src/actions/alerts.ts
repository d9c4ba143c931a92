import type { Thresholds } from "../detection/thresholds.ts";
import type { Finding, FindingSeverity } from "../detection/types.ts";
import type { Tx } from "../storage/db.ts";
import { enqueueOutbox } from "../storage/outbox-repo.ts";
import { alertCard, type AlertView, type UiLang } from "./alert-card.ts";

export interface AlertConfig {
  supervisorChatId?: string;
  supervisorOpenIds: string[];
  lang: UiLang;
  /** Dry-run with no supervisor configured: still "send" (print) cards, so a trial shows them. */
  dryRun?: boolean;
}

const RANK: Record<string, number> = { info: 0, warning: 1, critical: 2 };
const maxSeverity = (a: string, b: string) => (RANK[b]! > RANK[a]! ? b : a);

/** Where alert cards go: the supervisors' group chat, or else a DM to the first supervisor. */
function cardTarget(cfg: AlertConfig): string | undefined {
  if (cfg.supervisorChatId) return `chat_id:${cfg.supervisorChatId}`;
  if (cfg.supervisorOpenIds[0]) return `open_id:${cfg.supervisorOpenIds[0]}`;
  return cfg.dryRun ? "chat_id:(SUPERVISOR_CHAT_ID not set)" : undefined;
}

/** Everything the card shows, read in the caller's transaction. */
export async function alertView(tx: Tx, alertId: number, lang: UiLang): Promise<AlertView> {
  const a = await tx.alert.findUniqueOrThrow({ where: { id: alertId } });
  const findings = await tx.finding.findMany({ where: { alertId }, orderBy: { id: "asc" } });
  let session: AlertView["session"];
  let trajectory: number[] = [];
  let lastMessages: AlertView["lastMessages"] = [];
  if (a.sessionId) {
    const s = await tx.session.findUniqueOrThrow({ where: { id: a.sessionId } });
    const people = await tx.participant.findMany({ where: { id: { in: [s.agentId, s.customerId].filter((x): x is string => Boolean(x)) } } });
    const name = (id: string | null) => {
      const p = people.find((x) => x.id === id);
      return p ? (p.name ?? p.externalId) : null;
    };
    session = { channel: s.channel, externalKey: s.externalKey, agent: name(s.agentId), customer: name(s.customerId), qaScore: s.qaScore };
    const msgs = await tx.message.findMany({ where: { sessionId: s.id }, orderBy: [{ sentAt: "asc" }, { receivedAt: "asc" }], select: { role: true, text: true, score: { select: { valence: true } } } });
    trajectory = msgs.filter((m) => m.role === "customer" && m.score).map((m) => m.score!.valence);
    lastMessages = msgs.slice(-4).map((m) => ({ role: m.role, text: m.text }));
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
    findings: findings.map((f) => ({ detector: f.detector, severity: f.severity, summary: f.summary, evidence: JSON.parse(f.evidence) as string[] })),
    trajectory,
    lastMessages,
    lang,
  };
}

/** Sends a new card (and a buzz when critical), or patches the episode's card in place. */
async function publish(tx: Tx, cfg: AlertConfig, alertId: number, mode: "create" | "patch", buzz: boolean) {
  const target = cardTarget(cfg);
  if (!target) return; // nowhere to send: the alert is still stored and visible through the API
  const a = await tx.alert.findUniqueOrThrow({ where: { id: alertId } });
  const card = alertCard(await alertView(tx, alertId, cfg.lang));
  let createId = a.createOutboxId;
  if (mode === "create" || !createId) {
    createId = await enqueueOutbox(tx, { kind: "message.create", target, payload: { msg_type: "interactive", content: card }, uuid: `alert-${a.id}-create` });
    await tx.alert.update({ where: { id: a.id }, data: { createOutboxId: createId } });
  } else {
    await enqueueOutbox(tx, { kind: "message.patch", target: "", dependsOnId: createId, payload: { content: card }, uuid: `alert-${a.id}-v${a.version}` });
  }
  if (buzz && cfg.supervisorOpenIds.length) {
    await enqueueOutbox(tx, { kind: "message.urgent", target: "", dependsOnId: createId, payload: { user_id_list: cfg.supervisorOpenIds }, uuid: `alert-${a.id}-urgent-v${a.version}` });
  }
}

/**
 * One alert per session episode. New alerting findings either update the open episode (card
 * patched in place; a buzz only when it turns critical), are attached quietly to an episode a
 * supervisor closed within the cooldown (unless it turns critical), or open a new episode.
 */
export async function raiseAlert(tx: Tx, cfg: AlertConfig, t: Thresholds, sessionId: string, findingIds: number[], findings: Finding[], now: Date): Promise<{ alertId: number; created: boolean }> {
  const severity = findings.reduce<string>((m, f) => maxSeverity(m, f.severity), "warning") as FindingSeverity;
  const summary = findings[findings.length - 1]!.summary;
  const latest = await tx.alert.findFirst({ where: { sessionId, kind: "session" }, orderBy: { id: "desc" } });
  const turnsCritical = severity === "critical" && latest?.severity !== "critical";
  const openEpisode = latest && (latest.status === "open" || latest.status === "snoozed");
  const coolingDown = latest?.actedAt && now.getTime() - latest.actedAt.getTime() < t.cooldownMinutes * 60_000;
  if (latest && (openEpisode || (coolingDown && !turnsCritical))) {
    const snoozed = latest.status === "snoozed" && latest.snoozedUntil && latest.snoozedUntil > now;
    await tx.alert.update({
      where: { id: latest.id },
      data: { severity: maxSeverity(latest.severity, severity), summary, findingCount: { increment: findings.length }, version: { increment: 1 }, updatedAt: now },
    });
    await tx.finding.updateMany({ where: { id: { in: findingIds } }, data: { alertId: latest.id } });
    await publish(tx, cfg, latest.id, "patch", Boolean(openEpisode && turnsCritical && !snoozed));
    return { alertId: latest.id, created: false };
  }
  const session = await tx.session.findUnique({ where: { id: sessionId }, select: { agentId: true } });
  const alert = await tx.alert.create({ data: { sessionId, agentId: session?.agentId, severity, summary, findingCount: findings.length, createdAt: now, updatedAt: now } });
  await tx.finding.updateMany({ where: { id: { in: findingIds } }, data: { alertId: alert.id } });
  await publish(tx, cfg, alert.id, "create", severity === "critical");
  return { alertId: alert.id, created: true };
}

const HOSTILE = new Set(["negativity", "anger_spike", "escalation", "unresolved", "refund_repeated"]);

/**
 * Agent wellbeing: when one agent has absorbed many hostile sessions within the window, tell
 * the supervisor (once per window) so they can offer a break.
 */
export async function checkWellbeing(tx: Tx, cfg: AlertConfig, t: Thresholds, agentId: string | null | undefined, detectors: string[], now: Date) {
  if (!agentId || !detectors.some((d) => HOSTILE.has(d))) return;
  const since = new Date(now.getTime() - t.wellbeingWindowMinutes * 60_000);
  const recent = await tx.alert.findMany({ where: { agentId, kind: "session", createdAt: { gte: since } }, select: { sessionId: true } });
  const sessions = new Set(recent.map((r) => r.sessionId));
  if (sessions.size < t.wellbeingHostileSessions) return;
  if (await tx.alert.findFirst({ where: { agentId, kind: "wellbeing", createdAt: { gte: since } }, select: { id: true } })) return;
  const agent = await tx.participant.findUnique({ where: { id: agentId } });
  const who = agent?.name ?? agent?.externalId ?? agentId;
  const summary = cfg.lang === "zh"
    ? `${who} 在 ${t.wellbeingWindowMinutes} 分钟内处理了 ${sessions.size} 个情绪激烈的会话，建议安排短暂休息`
    : `${who} handled ${sessions.size} hostile sessions in ${t.wellbeingWindowMinutes} minutes: consider a short break`;
  const alert = await tx.alert.create({ data: { kind: "wellbeing", agentId, severity: "warning", summary, createdAt: now, updatedAt: now } });
  await publish(tx, cfg, alert.id, "create", false);
}
