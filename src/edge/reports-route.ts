import { Router } from "express";
import { z } from "zod";
import { addDays, isDay, localDay } from "../reports/time-zone.ts";
import type { StandupJob } from "../reports/standup-job.ts";
import { AppError } from "../shared/errors.ts";
import { parseJsonBody, rawJsonBody } from "./raw-json.ts";

const body = z.object({ date: z.string().refine(isDay, "must be YYYY-MM-DD").optional(), dryRun: z.boolean().default(false) });

/** POST /v1/reports/standup {date?, dryRun?} — run the stand-up now (default: yesterday, local). */
export function reportsRoute(o: { job: StandupJob; tz: string; now: () => number; maxBodyBytes: number }): Router {
  const router = Router();
  router.post("/v1/reports/standup", ...rawJsonBody(o.maxBodyBytes), async (req, res, next) => {
    try {
      const raw = (req.body as Buffer).length ? parseJsonBody(req.body) : {};
      const parsed = body.safeParse(raw);
      if (!parsed.success)
        throw new AppError(
          "malformed_body",
          "invalid report request",
          parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      const day = parsed.data.date ?? addDays(localDay(new Date(o.now()), o.tz), -1);
      const r = await o.job.run(day, { dryRun: parsed.data.dryRun });
      res.status(r.posted ? 201 : 200).json({ day, posted: r.posted, reason: r.reason, stats: { ...r.today, hourly: r.today.hourly }, narrative: r.narrative, card: r.card });
    } catch (e) {
      next(e);
    }
  });
  return router;
}
