import { Router } from "express";
import { z } from "zod";
import { AppError } from "../shared/errors.ts";
import type { SessionQueries } from "../storage/session-queries.ts";

const SINCE_FORMS = "must be an ISO-8601 time with an offset (2026-11-20T09:00:00+08:00 or …Z) or unix milliseconds (1763600400000)";
const listQuery = z.object({
  since: z
    .union([z.iso.datetime({ offset: true }), z.string().regex(/^\d{1,15}$/)], { error: SINCE_FORMS })
    .refine((v) => Number.isFinite(new Date(/^\d+$/.test(v) ? Number(v) : v).getTime()), SINCE_FORMS)
    .optional(),
  status: z.enum(["open", "closed"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** GET /v1/sessions?since=…&status=…&limit=… and GET /v1/sessions/:id (with its messages). */
export function sessionsRoute(queries: SessionQueries): Router {
  const router = Router();
  router.get("/v1/sessions", async (req, res, next) => {
    try {
      const q = listQuery.safeParse(req.query);
      if (!q.success)
        throw new AppError(
          "malformed_body",
          "invalid query",
          q.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        );
      const since = q.data.since ? new Date(/^\d+$/.test(q.data.since) ? Number(q.data.since) : q.data.since) : undefined;
      res.json({ sessions: await queries.list({ since, status: q.data.status, limit: q.data.limit }) });
    } catch (e) {
      next(e);
    }
  });
  router.get("/v1/sessions/:id", async (req, res, next) => {
    try {
      const session = await queries.get(req.params.id);
      if (!session) throw new AppError("not_found", `no session ${req.params.id}`);
      res.json({ session });
    } catch (e) {
      next(e);
    }
  });
  return router;
}
