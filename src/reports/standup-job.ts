import { isUniqueViolation } from "../storage/sql.ts";
import { claimReport, markReportPosted, reportClaimed } from "../storage/report-queries.ts";
import type { LlmClient } from "../clients/llm.ts";
import type { Env } from "../config/env.ts";
import type { Policy } from "../scoring/compliance/policy-schema.ts";
import { ruleNamer } from "../scoring/compliance/rule-names.ts";
import type { Clock } from "../shared/clock.ts";
import type { Logger } from "../shared/logger.ts";
import type { Database } from "../storage/db.ts";
import { enqueueOutbox } from "../storage/outbox-repo.ts";
import { narrative } from "./narrative.ts";
import { standupCard } from "./standup-card.ts";
import { dayStats, type DayOptions } from "./standup-data.ts";
import { addDays, dayRange, localDay, zonedTime } from "./time-zone.ts";

export interface StandupConfig {
  chatId?: string;
  /** Local wall-clock time of the daily post, HH:MM. */
  time: string;
  tz: string;
  lang: "zh" | "en";
  dayOptions: () => Omit<DayOptions, "tz">;
  /** Rule kind → the name people use (from the policy). */
  ruleName: (kind: string) => string;
  /** Lesson id → its title in the team's language. */
  lessonTitle: (id: string) => string;
  /** PUBLIC_URL: the card links to the console's Team today page. */
  consoleUrl?: string;
}

export interface StandupDeps {
  db: Database;
  cfg: StandupConfig;
  llm?: LlmClient;
  clock: Clock;
  /** Names this process in the claim row (host:pid), for whoever reads the log. */
  instance: string;
  /** When this installation first started: the scheduler never reports on a day before it. */
  installedAt: Date;
  log: Logger;
  onQueued?: () => void;
}

/**
 * The daily stand-up. A post is claimed by inserting ReportRun(kind, day) in the same
 * transaction that queues the card: the unique key makes "one post per team per day" hold with
 * several instances on one database and across restarts, and a crash leaves either both or
 * neither. The schedule is checked every minute and catches up when a due day was missed.
 */
export function createStandupJob(d: StandupDeps) {
  async function build(day: string) {
    const o = { ...d.cfg.dayOptions(), tz: d.cfg.tz };
    const [today, before] = await Promise.all([dayStats(d.db, day, o), dayStats(d.db, addDays(day, -1), o)]);
    const story = await narrative(today, before, d.cfg.lang, d.llm);
    const yesterday = addDays(localDay(new Date(d.clock.now()), d.cfg.tz), -1);
    const names = { rule: d.cfg.ruleName, lesson: d.cfg.lessonTitle };
    return { today, before, narrative: story, card: standupCard(today, before, story.sentences, d.cfg.lang, { isYesterday: day === yesterday, names, consoleUrl: d.cfg.consoleUrl }) };
  }

  /** Builds the report for `day`; unless dryRun, claims the day and queues the card. */
  async function run(day: string, o: { dryRun: boolean }) {
    const report = await build(day);
    if (o.dryRun) return { ...report, posted: false as const, reason: "dry run" };
    if (!d.cfg.chatId) return { ...report, posted: false as const, reason: "STANDUP_CHAT_ID is not set" };
    try {
      await d.db.sql.transaction(async (tx) => {
        // The claim is unique per day: a second instance (or a second run) fails here and posts nothing.
        const claim = await claimReport(tx, "standup", day, d.instance, new Date(d.clock.now()));
        const outboxId = await enqueueOutbox(tx, { kind: "message.create", target: `chat_id:${d.cfg.chatId}`, payload: { msg_type: "interactive", content: report.card }, uuid: `standup-${day}` });
        await markReportPosted(tx, claim, outboxId, new Date(d.clock.now()), JSON.stringify({ ...report.today, hourly: undefined }));
      });
    } catch (e) {
      if (isUniqueViolation(e)) return { ...report, posted: false as const, reason: `the stand-up for ${day} was already posted` };
      throw e;
    }
    d.log.info("stand-up queued", { day, chat: d.cfg.chatId, narrative: report.narrative.source });
    d.onQueued?.();
    return { ...report, posted: true as const, reason: "queued" };
  }

  /**
   * The day a post is due for at `now`: yesterday (local), once the scheduled time has passed,
   * and only if this installation was already running before that day ended — a restart after
   * downtime catches up, a fresh install does not report on days before it existed.
   */
  function dueDay(nowMs: number): string | undefined {
    const today = localDay(new Date(nowMs), d.cfg.tz);
    if (nowMs < zonedTime(today, d.cfg.time, d.cfg.tz).getTime()) return undefined;
    const day = addDays(today, -1);
    return d.installedAt.getTime() < dayRange(day, d.cfg.tz).end.getTime() ? day : undefined;
  }

  /** One scheduler step: post the due day unless it already has been (here or elsewhere). */
  async function tick(): Promise<number> {
    if (!d.cfg.chatId) return 0;
    const day = dueDay(d.clock.now());
    if (!day) return 0;
    if (await reportClaimed(d.db.sql, "standup", day)) return 0;
    const r = await run(day, { dryRun: false });
    return r.posted ? 1 : 0;
  }

  return { run, tick, dueDay, build };
}

export type StandupJob = ReturnType<typeof createStandupJob>;

/** "30 9 * * *" → "09:30". Only daily schedules are meaningful for a morning meeting. */
export function cronToTime(cron: string): string {
  const m = /^\s*(\d{1,2})\s+(\d{1,2})\s+\*\s+\*\s+\*\s*$/.exec(cron);
  if (!m || Number(m[1]) > 59 || Number(m[2]) > 23) throw new Error(`STANDUP_CRON "${cron}" must be a daily "minute hour * * *" schedule`);
  return `${m[2]!.padStart(2, "0")}:${m[1]!.padStart(2, "0")}`;
}

/** The stand-up's settings from configuration; SLA, "negative" and rule names come from the team's policy. */
export function standupConfig(env: Env, policy: () => Policy, lessonTitle: (id: string, lang: "zh" | "en") => string | undefined): StandupConfig {
  return {
    ruleName: (kind) => ruleNamer(policy(), env.UI_LANG)(kind),
    lessonTitle: (id) => lessonTitle(id, env.UI_LANG) ?? id,
    chatId: env.STANDUP_CHAT_ID,
    consoleUrl: env.PUBLIC_URL,
    time: env.STANDUP_CRON ? cronToTime(env.STANDUP_CRON) : env.STANDUP_TIME,
    tz: env.TZ,
    lang: env.UI_LANG,
    dayOptions: () => {
      const p = policy();
      const fr = p.rules.find((r) => r.enabled && r.check.type === "timing" && r.check.what === "first_response");
      return { slaSeconds: fr?.check.type === "timing" ? fr.check.maxSeconds : 10, negativeValence: p.negativeValence };
    },
  };
}
