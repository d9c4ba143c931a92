import { z } from "zod";

const perLang = (zh: number, en: number) => z.object({ zh: z.number(), en: z.number() }).default({ zh, en });

/**
 * Detector thresholds: part of the team's policy file ("detection"), so supervisors tune alert
 * volume where they tune the script. Valence thresholds are per language because the two
 * scorers are calibrated differently (a trained model for Chinese, lexicons for English).
 */
export const thresholdsSchema = z
  .object({
    /** Live: mean valence of the customer's last `sustainedTurns` turns (at least 2). */
    sustainedMean: perLang(-0.95, -0.7),
    sustainedTurns: z.number().int().min(2).default(2),
    /** Live: one furious turn after the agent has answered. */
    angerSpike: z.number().min(-1).max(0).default(-0.9),
    /** Escalation kinds that alert at once, and how (critical kinds buzz the supervisor). */
    escalationWarning: z.array(z.string()).default(["complaint", "bad_review"]),
    escalationCritical: z.array(z.string()).default(["regulator", "legal", "media"]),
    /** The customer asked for a refund in this many separate turns. */
    refundRepeats: z.number().int().min(2).default(2),
    /** At close: the customer leaves unhappy (mean or last turn at or below). */
    endMean: perLang(-0.5, -0.3),
    endLast: perLang(-0.6, -0.1),
    /** Waiting: first reply, and any later reply, in seconds (timer, not only on the next message). */
    firstReplyWaitSeconds: z.number().positive().default(60),
    replyWaitSeconds: z.number().positive().default(180),
    /** The customer says the same thing again (character-bigram overlap), this many times. */
    repeatSimilarity: z.number().min(0).max(1).default(0.6),
    repeatCount: z.number().int().min(1).default(2),
    longSessionTurns: z.number().int().min(5).default(40),
    qaBelow: z.number().min(0).max(100).default(60),
    /** Agent wellbeing: this many hostile sessions within the window suggests a break. */
    wellbeingHostileSessions: z.number().int().min(1).default(5),
    wellbeingWindowMinutes: z.number().int().min(1).default(120),
    /** Alerts: no new alert for the same session within this many minutes after one was closed. */
    cooldownMinutes: z.number().min(0).default(10),
  })
  .prefault({});

export type Thresholds = z.infer<typeof thresholdsSchema>;
