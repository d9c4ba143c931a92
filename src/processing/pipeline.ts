import { setImmediate as yieldToIo } from "node:timers/promises";
import { normalizeInboxEvent, type InboxRow } from "../ingest/normalize.ts";
import type { NormalizedEvent, NormalizedMessage, Roster } from "../ingest/types.ts";
import { createSessionLocks, SessionBusy, sessionLockKey } from "../storage/session-lock.ts";
import type { Scorers } from "../scoring/assess.ts";
import { judgeClose, judgeTurn, judgeWait } from "../engine/turn-engine.ts";
import type { Logger } from "../shared/logger.ts";
import { closeIdleSession, createParticipantCache, idleSessions, sessionAgent, storeMessage, storeSessionEvent, type WaitingCustomer, waitingCustomers } from "../storage/conversation-repo.ts";
import type { Database } from "../storage/db.ts";
import { isForeignKeyViolation, isUniqueViolation, savepoint, type Sql } from "../storage/sql.ts";
import type { InboxRepo } from "../storage/inbox-repo.ts";
import { loadHitsAt, loadTurns, saveHits, saveScore, storeAggregates, type StoredHit, type StoredTurn } from "../storage/score-repo.ts";
import { checkWellbeing, joinStormDigest, raiseAlert, type AlertConfig } from "../actions/alerts.ts";
import { ALERTING, type Finding } from "../detection/types.ts";
import { createSessionWindows, type StoredWindow } from "./session-windows.ts";
import { detectLang, langOf, letterCounts } from "../scoring/text.ts";
import { reportedWaits, saveNewFindings } from "../storage/finding-repo.ts";
import { deliverHints, releaseHeldHints, type HintConfig } from "../actions/hints.ts";
import { hintCandidates } from "../coaching/coach.ts";
import type { KbIndex } from "../coaching/kb-index.ts";
import type { Lessons } from "../coaching/lessons.ts";

export interface PipelineDeps {
  db: Database;
  inbox: InboxRepo;
  roster: Roster;
  scorers: Scorers;
  /** true when an LLM is configured: new scores are queued for its refinement. */
  llmEnabled: boolean;
  sessionIdleMs: number;
  alerts: AlertConfig;
  coaching: { kb?: KbIndex; lessons: Lessons; hints: HintConfig; minKbScore: number };
  /** Called after a commit that queued something to send (wake the outbox instead of waiting for its poll). */
  onQueued?: () => void;
  /** Called after a commit with the sessions it changed (the console's live board listens). */
  onSessionsChanged?: (sessionIds: string[]) => void;
  log: Logger;
}

export type ProcessOutcome = "stored" | "session_event" | "ignored" | "already_processed" | "session_busy";

class AlreadyProcessed extends Error {}

/** A group commit in progress: its transaction, and what to do once it commits. */
interface Batch {
  tx: Sql;
  queued: () => void;
  changed: (sessionId: string) => void;
}

/** Timers do this much per pass, yielding between items, and run again at once while there is more. */
const TIMER_BATCH = 50;

/** An event that failed to process, with its conversation's key (the worker holds that conversation back). */
export class EventFailed extends Error {
  constructor(
    readonly sessionKey: string | undefined,
    readonly original: unknown,
  ) {
    super(String((original as Error)?.message ?? original));
  }
}

/** The unique (source, externalId) on Message: the same message under a second event id. */
const isDuplicateMessage = (e: unknown) => isUniqueViolation(e, "Message");

/**
 * The whole flow for one recorded event, in order:
 *   1. normalize — raw Lark envelope or ingest message → NormalizedEvent (pure)
 *   2. store     — session, participant, message (or session event)
 *   3. score     — emotion of the message and the rule hits visible now (pure), stored with
 *                  the session's aggregates (QA score, valence, escalation)
 *   4. detect    — pure detectors over the session window → findings (stored once each)
 *   5. act       — alerting findings open or update the session's alert episode (card via outbox)
 *   6. coach     — the agent privately gets the knowledge-base answer to a customer question
 *                  and the micro-lesson for what just happened (via the outbox)
 *   7. finalize  — a session that just closed gets its end-of-conversation checks and detectors
 * All in the transaction that also marks the inbox row handled (a batch of events shares one, each
 * under its own savepoint): an event's effects happen once.
 */
export function createPipeline(deps: PipelineDeps) {
  const { db, inbox, roster, sessionIdleMs, scorers } = deps;
  const participants = createParticipantCache();
  const locks = createSessionLocks(db.provider);
  const windows = createSessionWindows();

  /**
   * Runs fn with the statement that marks the inbox row handled; a row handled elsewhere aborts
   * it. With a lock key, the conversation is held for the transaction (or found busy). In a
   * batch (group commit) the event's statements run under a savepoint of the batch's
   * transaction: a failing event undoes only its own.
   */
  async function handled<T>(row: InboxRow, status: "done" | "ignored", note: string | undefined, fn: (tx: Sql) => Promise<T>, lockKey: string | undefined, batch: Batch | undefined): Promise<T> {
    const body = async (tx: Sql) => {
      if (lockKey && !(await locks.tryLock(tx, lockKey))) throw new SessionBusy();
      if (!(await inbox.complete(tx, row.id, status, note))) throw new AlreadyProcessed();
      return fn(tx);
    };
    if (!batch) return db.sql.transaction(body);
    return savepoint(batch.tx, body);
  }

  /** The window the turn engine judges, read from the database: the stored turns (with their signals) and every hit so far. */
  async function loadWindow(tx: Sql, sessionId: string): Promise<StoredWindow> {
    const turns = await loadTurns(tx, sessionId);
    const letters = letterCounts(turns.map((t) => t.text).join(" "));
    return { lang: langOf(letters), letters, turns, hits: await loadHitsAt(tx, sessionId, turns) };
  }

  /**
   * The window with the message just stored: the cached one extended by it when the cache is
   * current (same revision, and the message is the latest), else read again.
   */
  async function windowWith(tx: Sql, sessionId: string, revision: number, m: { id: string; role: string; text: string; sentAt: Date }): Promise<StoredWindow> {
    const cached = windows.get(sessionId, revision);
    const last = cached?.turns[cached.turns.length - 1];
    if (!cached || (last && last.sentAt > m.sentAt)) return loadWindow(tx, sessionId);
    const turn = { messageId: m.id, role: m.role as StoredTurn["role"], text: m.text, sentAt: m.sentAt, ts: m.sentAt.getTime() / 1000, escalation: [] };
    const own = letterCounts(m.text);
    const letters = { han: cached.letters.han + own.han, latin: cached.letters.latin + own.latin };
    return { ...cached, lang: langOf(letters), letters, turns: [...cached.turns, turn] };
  }

  /**
   * Storm digest. The first card is created at once, by the episode that makes the storm (it
   * then goes out ahead of the per-session cards queued after it). Later episodes join it once
   * per transaction, at its end: the card lists every session in the storm, so a batch raising
   * twenty alerts patches it once, not twenty times (patches do not queue behind the chat's
   * messages). Keyed by the transaction: act runs inside one, and each transaction that can
   * raise an alert ends with joinDigestIfDue.
   */
  const digestDue = new WeakMap<Sql, Date>();
  async function joinDigestIfDue(tx: Sql) {
    const at = digestDue.get(tx);
    if (!at) return;
    digestDue.delete(tx);
    try {
      await savepoint(tx, (sp) => joinStormDigest(sp, deps.alerts, at));
    } catch (e) {
      // The alerts and their own cards stand; the next new episode rebuilds the digest.
      deps.log.error("joining the storm digest failed", { error: e });
    }
  }

  /** The engine's findings: new ones stored once; alerting ones raise or update the alert. */
  async function act(tx: Sql, sessionId: string, findings: Finding[], turns: StoredTurn[], offset = 0, nowMs?: number) {
    const thresholds = scorers.policy().policy.detection;
    // Event time: findings and alerts belong to when the conversation happened (a replayed day
    // reports on that day); the waiting timer passes the clock.
    const now = new Date(nowMs ?? turns[turns.length - 1]!.sentAt.getTime());
    const fresh = await saveNewFindings(tx, sessionId, findings, turns, offset, now);
    const alerting = fresh.filter((f) => ALERTING.has(f.finding.severity));
    if (alerting.length) {
      // The agent only matters to an alert (wellbeing): read once one is raised, not per message.
      const agentId = await sessionAgent(tx, sessionId);
      const raised = await raiseAlert(
        tx,
        deps.alerts,
        thresholds,
        sessionId,
        alerting.map((f) => f.id),
        alerting.map((f) => f.finding),
        now,
      );
      if (raised.created && !(await joinStormDigest(tx, deps.alerts, now, { createOnly: true }))) digestDue.set(tx, new Date(Math.max(now.getTime(), digestDue.get(tx)?.getTime() ?? 0)));
      await checkWellbeing(
        tx,
        deps.alerts,
        thresholds,
        agentId,
        alerting.map((f) => f.finding.detector),
        now,
      );
    }
    return fresh.map((f) => f.finding);
  }

  async function scoreMessage(tx: Sql, sessionId: string, revision: number, message: { id: string; role: string; text: string; sentAt: Date }) {
    const w = await windowWith(tx, sessionId, revision, message);
    const i = w.turns.findIndex((t) => t.messageId === message.id);
    const d = judgeTurn(scorers, w, i);
    const turns = d.turns as StoredTurn[];
    const offset = d.window.offset ?? 0;
    await saveScore(tx, message.id, sessionId, d.emotion, deps.llmEnabled ? "pending" : "skipped");
    const stored = await saveHits(tx, sessionId, d.hits, turns);
    const next = await storeAggregates(tx, sessionId, d.aggregates, turns);
    const findings = await act(tx, sessionId, d.findings, turns, offset);
    // Kept once the transaction commits (see handle): the (bounded) window as the database now has it.
    const kept = d.window.hits.slice(0, d.window.hits.length - d.hits.length) as StoredHit[];
    const window: StoredWindow = { lang: w.lang, letters: w.letters, offset, earlier: d.window.earlier, turns, hits: [...kept, ...stored] };
    return { emotion: d.emotion, hits: d.hits, findings, window: { sessionId, revision: next, window } };
  }

  /** End-of-conversation checks (the closing question), once, when a session closes. */
  async function finalizeSession(tx: Sql, sessionId: string) {
    const w = await loadWindow(tx, sessionId);
    if (!w.turns.length) return [];
    const d = judgeClose(scorers, w);
    const turns = d.window.turns as StoredTurn[];
    await saveHits(tx, sessionId, d.hits, turns);
    await storeAggregates(tx, sessionId, d.aggregates, turns);
    await act(tx, sessionId, d.findings, turns, d.window.offset);
    return d.hits;
  }

  async function onMessage(tx: Sql, row: InboxRow, event: NormalizedMessage) {
    const stored = await storeMessage(tx, event, row.payload, row.id, sessionIdleMs, participants);
    if (stored.closedSessionId) await finalizeSession(tx, stored.closedSessionId);
    const scored = await scoreMessage(tx, stored.session.id, stored.session.revision, stored.message);
    const c = deps.coaching;
    const lang = detectLang(event.text);
    const candidates = hintCandidates({
      turn: { role: event.sender.role, text: event.text },
      lang,
      hits: scored.hits,
      findings: scored.findings,
      kb: c.kb,
      lessons: c.lessons,
      minKbScore: c.minKbScore,
    });
    // An agent's first words release what was held for them (a customer asked before anyone joined).
    const released = event.sender.role === "agent" ? await releaseHeldHints(tx, c.hints, stored.session.id, event.sentAt) : [];
    const hints = [...released, ...(await deliverHints(tx, c.hints, stored.session.id, stored.message.id, lang, candidates, event.sentAt))];
    return { ...stored, ...scored, hints };
  }

  async function handle(row: InboxRow, event: NormalizedEvent, log: Logger, batch: Batch | undefined): Promise<ProcessOutcome> {
    // Sends wait for the commit: the outbox is woken once the batch (or the event) is durable.
    const queued = batch ? batch.queued : () => deps.onQueued?.();
    const changed = batch ? batch.changed : (id: string) => deps.onSessionsChanged?.([id]);
    switch (event.kind) {
      case "ignored":
        await handled(row, "ignored", event.reason, async () => undefined, undefined, batch);
        log.debug("event ignored", { reason: event.reason });
        return "ignored";
      case "session_event": {
        const session = await handled(
          row,
          "done",
          undefined,
          async (tx) => {
            const s = await storeSessionEvent(tx, event, sessionIdleMs);
            if (event.event === "ticket_closed") await finalizeSession(tx, s.id);
            return s;
          },
          sessionLockKey(event.session),
          batch,
        );
        if (event.event === "ticket_closed") queued();
        changed(session.id);
        log.info("session event", { sessionId: session.id, event: event.event });
        return "session_event";
      }
      case "message": {
        const r = await handled(row, "done", undefined, (tx) => onMessage(tx, row, event), sessionLockKey(event.session), batch);
        // Kept at the revision this event wrote: should its batch roll back, the stored revision
        // stays behind, and the entry is found stale and dropped on its next use.
        windows.set(r.window.sessionId, r.window.revision, r.window.window);
        participants.remember(event.sender, r.participant);
        if (r.hints.some((h) => h.status === "queued") || r.findings.some((f) => ALERTING.has(f.severity))) queued();
        changed(r.session.id);
        log.info("message stored", {
          sessionId: r.session.id,
          messageId: r.message.id,
          role: r.message.role,
          valence: r.emotion.valence,
          category: r.emotion.category,
          hits: r.hits.map((h) => h.kind),
          findings: r.findings.map((f) => f.detector),
          hints: r.hints.map((h) => `${h.refId}:${h.status}`),
        });
        return "stored";
      }
    }
  }

  /**
   * busy: conversations found held by another instance during this pass. Their later events are
   * skipped too, so a conversation's events are never processed out of order.
   */
  async function processInboxEvent(row: InboxRow, busy = new Set<string>(), batch?: Batch): Promise<ProcessOutcome> {
    const log = deps.log.child({ inboxId: row.id, eventType: row.eventType });
    let event: NormalizedEvent;
    try {
      event = normalizeInboxEvent(row, roster);
    } catch (e) {
      throw new EventFailed(undefined, e); // a stored payload no version of us can read
    }
    const key = event.kind === "ignored" ? undefined : sessionLockKey(event.session);
    if (key && busy.has(key)) return "session_busy";
    try {
      try {
        return await handle(row, event, log, batch);
      } catch (e) {
        // A remembered participant that no longer exists (erased or purged): forget and retry once.
        if (!isForeignKeyViolation(e)) throw e;
        participants.clear();
        return await handle(row, event, log, batch);
      }
    } catch (e) {
      if (e instanceof AlreadyProcessed) return "already_processed";
      if (e instanceof SessionBusy) {
        busy.add(key!);
        return "session_busy";
      }
      // Rare (a Service Desk redelivery under a new event id), so it costs a second transaction
      // here instead of a lookup on every message.
      if (isDuplicateMessage(e)) {
        await handled(row, "ignored", "duplicate message", async () => undefined, undefined, batch).catch(() => undefined);
        return "ignored";
      }
      throw new EventFailed(key, e);
    }
  }

  /**
   * Sessions a timer failed on: skipped until the time given, so one session whose data no
   * version of us can handle is logged and passed over instead of stopping every other
   * customer's waiting alert or idle close. In memory: a restart tries them again.
   */
  const quarantine = new Map<string, number>();
  const QUARANTINE_MS = 10 * 60_000;
  const quarantined = (id: string, now: number) => (quarantine.get(id) ?? 0) > now;
  function setAside(timer: string, id: string, now: number, error: unknown) {
    if (quarantine.size >= 10_000) quarantine.delete(quarantine.keys().next().value!);
    quarantine.set(id, now + QUARANTINE_MS);
    deps.log.error(`${timer}: a session failed; set aside, the others go on`, { sessionId: id, error });
  }

  /** Closes one idle session and runs its end-of-conversation checks; true when this call closed it. */
  async function closeOne(s: { id: string; channel: string; externalKey: string }, now: number): Promise<boolean> {
    try {
      return await db.sql.transaction(async (tx) => {
        // Under the conversation's lock, re-checked inside: another instance may have closed it.
        await locks.lock(tx, sessionLockKey(s));
        if (!(await closeIdleSession(tx, s.id, now, sessionIdleMs))) return false;
        await finalizeSession(tx, s.id);
        await joinDigestIfDue(tx);
        return true;
      });
    } catch (e) {
      setAside("idle sweeper", s.id, now, e);
      // Its closing checks failed; it still closes, so it neither stays open for ever nor holds a place in the next pass.
      return db.sql.transaction((tx) => closeIdleSession(tx, s.id, now, sessionIdleMs)).catch(() => false);
    }
  }

  /**
   * Closes up to `limit` sessions idle past the timeout and finalizes each, yielding to the
   * event loop between them (acks and health answers interleave); returns how many it closed.
   * The timer calls it again at once while it finds work.
   */
  async function closeIdleSessions(now: number, limit = TIMER_BATCH): Promise<number> {
    let closed = 0;
    const due = await idleSessions(db.sql, now, sessionIdleMs, limit + quarantine.size);
    for (const s of due.filter((x) => !quarantined(x.id, now)).slice(0, limit)) {
      await yieldToIo();
      if (await closeOne(s, now)) {
        closed++;
        deps.onSessionsChanged?.([s.id]);
      }
    }
    if (closed) deps.onQueued?.();
    return closed;
  }

  /** Where the waiting timer's walk over waiting customers stands between passes (keyset). */
  let waitCursor: { at: Date; id: string } | undefined;
  const WAIT_PAGE = 200;

  /** One waiting customer judged under the conversation's lock: the findings it raised. */
  async function judgeWaiting(c: WaitingCustomer, nowMs: number): Promise<Finding[]> {
    try {
      // The lock makes a second instance's timer wait, then find the wait already reported.
      return await db.sql.transaction(async (tx) => {
        await locks.lock(tx, sessionLockKey(c));
        const w = await loadWindow(tx, c.id);
        if (!w.turns.length) return [];
        const j = judgeWait(scorers, w, nowMs / 1000, c.qaScore ?? undefined);
        const found = await act(tx, c.id, j.findings, j.window.turns as StoredTurn[], j.window.offset, nowMs);
        await joinDigestIfDue(tx);
        return found;
      });
    } catch (e) {
      setAside("waiting timer", c.id, nowMs, e);
      return [];
    }
  }

  /**
   * The waiting timer: customers whose last message is still unanswered. Derived from stored
   * timestamps, so it survives restarts; each wait is found (and alerted) once. Walks every
   * waiting customer, a page at a time, judging at most `limit` per pass; `more` says the walk
   * is not finished (the timer runs again at once and carries on where this pass stopped).
   */
  async function checkWaiting(nowMs: number, limit = TIMER_BATCH): Promise<{ found: number; more: boolean }> {
    const t = scorers.policy().policy.detection;
    const shortest = Math.min(t.firstReplyWaitSeconds, t.replyWaitSeconds) * 1000;
    const from = new Date(nowMs - sessionIdleMs);
    const to = new Date(nowMs - shortest);
    let found = 0;
    let checked = 0;
    for (;;) {
      const page = await waitingCustomers(db.sql, from, to, WAIT_PAGE, waitCursor);
      if (!page.length) {
        waitCursor = undefined;
        return { found, more: false };
      }
      // A wait already reported (a waiting finding since the agent last spoke) costs nothing more:
      // one query per page instead of re-running the detectors for every waiting customer each tick.
      const lastReported = new Map<string, number>();
      for (const r of await reportedWaits(
        db.sql,
        page.map((c) => c.id),
      ))
        lastReported.set(r.sessionId, Math.max(lastReported.get(r.sessionId) ?? 0, r.at.getTime()));
      for (const c of page) {
        waitCursor = { at: c.awaitingSince, id: c.id };
        const seen = lastReported.get(c.id);
        if ((seen !== undefined && seen >= (c.lastAgentAt?.getTime() ?? 0)) || quarantined(c.id, nowMs)) continue;
        await yieldToIo();
        const fresh = await judgeWaiting(c, nowMs);
        found += fresh.filter((f) => f.detector === "waiting").length;
        if (fresh.length) deps.onSessionsChanged?.([c.id]);
        if (++checked >= limit) return { found, more: true };
      }
      if (page.length < WAIT_PAGE) {
        waitCursor = undefined;
        return { found, more: false };
      }
    }
  }

  /**
   * Group commit: the events in one transaction (one commit, one fsync), each under its own
   * savepoint. A failed event is undone alone and reported; its conversation's later events in
   * the batch wait (busy), to keep their order.
   */
  async function processBatch(rows: InboxRow[], busy = new Set<string>()): Promise<Array<{ row: InboxRow; outcome?: ProcessOutcome; error?: EventFailed }>> {
    let wake = false;
    const touched = new Set<string>();
    const results = await db.sql.transaction(async (tx) => {
      const batch: Batch = { tx, queued: () => (wake = true), changed: (id) => touched.add(id) };
      const out: Array<{ row: InboxRow; outcome?: ProcessOutcome; error?: EventFailed }> = [];
      for (const row of rows) {
        try {
          out.push({ row, outcome: await processInboxEvent(row, busy, batch) });
        } catch (e) {
          const error = e instanceof EventFailed ? e : new EventFailed(undefined, e);
          if (error.sessionKey) busy.add(error.sessionKey);
          out.push({ row, error });
        }
      }
      await joinDigestIfDue(tx);
      return out;
    });
    if (wake) deps.onQueued?.();
    if (touched.size) deps.onSessionsChanged?.([...touched]);
    return results;
  }

  return { processBatch, closeIdleSessions, checkWaiting };
}

export type Pipeline = ReturnType<typeof createPipeline>;
export type ProcessBatch = Pipeline["processBatch"];
