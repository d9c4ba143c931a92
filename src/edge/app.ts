import express, { type ErrorRequestHandler, type Router } from "express";
import { AppError, isAppError } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";

export type HealthProbe = () => Promise<{ ok: boolean; ready: boolean; problems: string[]; details: Record<string, unknown> }>;

/** Body-parser errors carry a `type`; map them to our codes so every refusal looks the same. */
function toAppError(e: unknown): AppError | undefined {
  if (isAppError(e)) return e;
  const t = (e as { type?: string })?.type;
  if (t === "entity.too.large") return new AppError("payload_too_large", "body is larger than MAX_BODY_BYTES");
  if (t === "encoding.unsupported" || t === "charset.unsupported") return new AppError("unsupported_media_type", (e as Error).message);
  if (t === "request.aborted" || t === "request.size.invalid" || t === "stream.encoding.set") return new AppError("malformed_body", (e as Error).message);
  // A path that is not valid percent-encoding (/v1/sessions/%E0%A4%A) fails in the router's decode.
  if (e instanceof URIError) return new AppError("malformed_body", "the URL is not valid percent-encoding");
  return undefined;
}

/** The express app: health, then the routes given, then one error sink. */
export function createHttpApp(routes: { public: Router[]; authed: Router[]; ungated?: Router[] }, auth: express.RequestHandler, health: HealthProbe, log: Logger, gate?: express.RequestHandler) {
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  app.get("/healthz", async (_req, res) => {
    const h = await health();
    res.status(h.ok ? 200 : 503).json({ status: h.ok ? "ok" : "unavailable", ...h.details });
  });
  app.get("/readyz", async (_req, res) => {
    const h = await health();
    res.status(h.ready ? 200 : 503).json({ ready: h.ready, ...(h.problems.length ? { problems: h.problems } : {}) });
  });
  // Health answers even when overloaded (a probe must see the process alive), and so do the
  // ungated routes (the console: its pages are not acks Lark times, and a live stream open for
  // hours must neither hold an ack's slot nor make processing give way). The rest is gated.
  for (const r of routes.ungated ?? []) app.use(r);
  if (gate) app.use(gate);
  for (const r of routes.public) app.use(r);
  app.use("/v1", auth);
  for (const r of routes.authed) app.use(r);

  app.use((req, res) => {
    res.status(404).json({ error: "not_found", message: `no route ${req.method} ${req.path}` });
  });

  // The final destination for every error: one JSON shape, one log line.
  const onError: ErrorRequestHandler = (err, req, res, _next) => {
    const known = toAppError(err);
    if (known) {
      if (known.status >= 500) log.error("request failed", { path: req.path, code: known.code, details: known.details });
      else log.info("request refused", { path: req.path, code: known.code, status: known.status });
      res.status(known.status).json({ error: known.code, message: known.message, ...(known.details && known.status < 500 ? { details: known.details } : {}) });
      return;
    }
    log.error("unexpected error", { path: req.path, error: err });
    res.status(500).json({ error: "internal", message: "unexpected error; see the server log" });
  };
  app.use(onError);
  return app;
}
