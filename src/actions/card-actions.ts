import { z } from "zod";
import type { Logger } from "../shared/logger.ts";
import type { Database } from "../storage/db.ts";
import { alertFeedbackSeen, findAlert, recordAlertAction } from "../storage/alert-repo.ts";
import { assignSession } from "../storage/conversation-repo.ts";
import { recordHintFeedback } from "../storage/hint-repo.ts";
import { renderAlertCard, type AlertAction, type UiLang } from "./alert-card.ts";
import { alertView, patchAlertCards, type AlertConfig } from "./alerts.ts";
import { notifyAgent } from "./hints.ts";
import { hintCard } from "../coaching/hint-card.ts";

const valueSchema = z.object({ cs_coach: z.literal("alert"), alertId: z.number().int(), action: z.enum(["take_over", "acknowledge", "false_alarm", "snooze"]) });
const hintValueSchema = z.object({ cs_coach: z.literal("hint"), hintId: z.number().int(), useful: z.boolean() });

const STATUS: Record<AlertAction, string> = { take_over: "taken_over", acknowledge: "acknowledged", false_alarm: "false_alarm", snooze: "snoozed" };
const SNOOZE_MS = 30 * 60_000;

const TOAST = {
  zh: {
    forbidden: "只有主管可以处理告警",
    unknown: "告警不存在或已删除",
    closed: "该告警已处理",
    tookOver: "主管已接管此会话，请暂停回复，等待主管指示。",
    done: { take_over: "已接管会话", acknowledge: "已知悉", false_alarm: "已标记为误报，谢谢反馈", snooze: "30 分钟后再提醒" },
  },
  en: {
    forbidden: "Only supervisors can act on alerts",
    unknown: "This alert no longer exists",
    closed: "This alert was already handled",
    tookOver: "A supervisor has taken this conversation over: please hold your replies and wait for their lead.",
    done: { take_over: "Session taken over", acknowledge: "Acknowledged", false_alarm: "Marked as a false alarm, thanks", snooze: "Snoozed for 30 minutes" },
  },
};

export interface CardActionDeps {
  db: Database;
  supervisorOpenIds: ReadonlySet<string>;
  lang: UiLang;
  /** How alert cards are drawn and where their copies are (to update every one of them). */
  alerts: AlertConfig;
  /** Called after a commit that queued something to send. */
  onQueued?: () => void;
  /** Called after an action changed a session's alert (the console's live board). */
  onSessionChanged?: (sessionId: string) => void;
  now: () => number;
  log: Logger;
}

/**
 * card.action.trigger for alert cards, answered synchronously (Lark waits 3 s): only listed
 * supervisors may act; their action is stored as feedback, once per callback event, and the
 * answer carries a toast and the updated card showing who did what.
 */
// biome-ignore lint/suspicious/noExplicitAny: Lark's callback body; the fields we act on are parsed by zod
type LarkCallbackEvent = Record<string, any>;

/**
 * A supervisor's action on an alert, from a card click or the console: stored once per event id,
 * only while the alert is open (or snoozed); every copy of its card is patched to show it.
 * `operator` must already be known to be a supervisor. undefined: no such alert.
 */
export async function actOnAlert(d: CardActionDeps, a: { alertId: number; action: AlertAction; operator: string; eventId: string }) {
  const t = TOAST[d.lang];
  const now = new Date(d.now());
  const outcome = await d.db.sql.transaction(async (tx) => {
    const alert = await findAlert(tx, a.alertId);
    if (!alert) return undefined;
    const seen = await alertFeedbackSeen(tx, a.eventId);
    const actionable = alert.status === "open" || alert.status === "snoozed";
    if (!seen && actionable) {
      await recordAlertAction(tx, {
        alertId: a.alertId,
        action: a.action,
        status: STATUS[a.action],
        operator: a.operator,
        eventId: a.eventId,
        now,
        snoozedUntil: a.action === "snooze" ? new Date(now.getTime() + SNOOZE_MS) : null,
      });
      if (a.action === "take_over" && alert.sessionId) {
        // The session is now the supervisor's; the agent hears it privately, never in the chat.
        await assignSession(tx, alert.sessionId, a.operator, now);
        await notifyAgent(tx, alert.sessionId, { text: t.tookOver, uuid: `takeover-${a.alertId}` }, d.alerts.webhookFor);
      }
      // Everyone sees the outcome: every copy of the card is patched, not only the one clicked.
      await patchAlertCards(tx, d.alerts, a.alertId);
    }
    return { card: renderAlertCard(await alertView(tx, a.alertId, d.alerts)), applied: !seen && actionable, closed: !seen && !actionable, sessionId: alert.sessionId };
  });
  if (outcome?.applied) {
    d.log.info("alert action", { alertId: a.alertId, action: a.action, operator: a.operator });
    d.onQueued?.();
    if (outcome.sessionId) d.onSessionChanged?.(outcome.sessionId);
  }
  return outcome;
}

export function createCardActionHandler(d: CardActionDeps) {
  /** Useful / Not useful on a hint: only the agent it was for; stored once per click event. */
  async function hintFeedback(envelope: { header: { event_id: string }; event: LarkCallbackEvent }, v: z.infer<typeof hintValueSchema>) {
    const operator: string | undefined = envelope.event?.operator?.open_id;
    const zh = d.lang === "zh";
    const hint = await recordHintFeedback(d.db, { hintId: v.hintId, operator, useful: v.useful, eventId: envelope.header.event_id, at: new Date(d.now()) });
    const c = hint && (JSON.parse(hint.content) as { text: string; reply: string; source?: string; lang: "zh" | "en" });
    const card = hint && c && hintCard({ hintId: hint.id, kind: hint.kind as "kb" | "lesson", lang: c.lang, title: hint.title, text: c.text, reply: c.reply, source: c.source, verdict: v.useful });
    if (!card) return { toast: { type: "error", content: zh ? "这条提示不是发给你的" : "This hint was not for you" } };
    return { toast: { type: "success", content: zh ? "谢谢反馈" : "Thanks for the feedback" }, card: { type: "raw", data: card } };
  }

  return async function handleCardAction(envelope: { header: { event_id: string }; event: LarkCallbackEvent }): Promise<Record<string, unknown>> {
    const t = TOAST[d.lang];
    const hintValue = hintValueSchema.safeParse(envelope.event?.action?.value);
    if (hintValue.success) return hintFeedback(envelope, hintValue.data);
    const parsed = valueSchema.safeParse(envelope.event?.action?.value);
    if (!parsed.success) return {}; // not one of our buttons
    const { alertId, action } = parsed.data;
    const operator: string | undefined = envelope.event?.operator?.open_id;
    if (!operator || !d.supervisorOpenIds.has(operator)) {
      d.log.warn("card action refused: not a supervisor", { alertId, action, operator });
      return { toast: { type: "error", content: t.forbidden } };
    }
    const outcome = await actOnAlert(d, { alertId, action, operator, eventId: envelope.header.event_id });
    if (!outcome) return { toast: { type: "error", content: t.unknown } };
    if (outcome.closed) return { toast: { type: "info", content: t.closed }, card: { type: "raw", data: outcome.card } };
    return { toast: { type: "success", content: t.done[action] }, card: { type: "raw", data: outcome.card } };
  };
}

export type CardActionHandler = ReturnType<typeof createCardActionHandler>;
