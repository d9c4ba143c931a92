import express from "express";
import { WebSocketServer, type WebSocket } from "ws";
import { decodeFrame, encodeFrame, type Frame } from "./pbbp2.ts";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";

export interface RecordedCall {
  /** Date.now() when the call arrived. */
  at: number;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: any;
  auth?: string;
}

type Scripted = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * A local stand-in for the Lark Open API: tenant tokens, messages (create, reply, patch, urgent)
 * and ephemeral cards. Records every call; failures can be scripted per route ("429 then 500").
 * Messages created with a uuid seen before return the first message (Lark's own dedupe).
 */
export async function startFakeLark(opts: { wsPingIntervalSeconds?: number } = {}) {
  const calls: RecordedCall[] = [];
  const script = new Map<string, Scripted[]>();
  const byUuid = new Map<string, string>();
  let tokenSeq = 0;
  let msgSeq = 0;
  const validTokens = new Set<string>();
  let delivered: RecordedCall[] = [];
  const rejectedSecrets = new Set<string>();

  let downUntil = 0;
  const app = express();
  // An outage: connections are cut before anything is read, as when Lark is unreachable.
  app.use((req, _res, next) => {
    if (Date.now() < downUntil && req.path.startsWith("/open-apis/")) {
      req.socket.destroy();
      return;
    }
    next();
  });
  app.use(express.json({ limit: "5mb" }));
  app.use((req, res, next) => {
    const call = { at: Date.now(), method: req.method, path: req.path, query: req.query as Record<string, unknown>, body: req.body, auth: req.get("authorization") };
    calls.push(call);
    // This request's own record (calls' last entry may be another request's when they overlap).
    res.locals.call = call;
    next();
  });

  const route = (name: string) => (req: express.Request, res: express.Response, next: express.NextFunction) => {
    const queued = script.get(name);
    const next1 = queued?.shift();
    if (next1) {
      res
        .status(next1.status)
        .set(next1.headers ?? {})
        .json(next1.body);
      return;
    }
    if (name !== "token") {
      const token = (req.get("authorization") ?? "").replace(/^Bearer /, "");
      if (!validTokens.has(token)) {
        res.status(400).json({ code: 99991663, msg: "Invalid access token for authorization. Please make a request with token attached." });
        return;
      }
    }
    next();
  };

  app.post("/open-apis/auth/v3/tenant_access_token/internal", route("token"), (req, res) => {
    if (rejectedSecrets.has(req.body?.app_secret)) {
      res.json({ code: 10014, msg: "app secret invalid" });
      return;
    }
    const t = `t-fake-${++tokenSeq}`;
    validTokens.add(t);
    res.json({ code: 0, msg: "ok", tenant_access_token: t, expire: 7200 });
  });
  const sent = (req: express.Request, res: express.Response, extra: Record<string, unknown> = {}) => {
    const uuid = req.body?.uuid as string | undefined;
    if (uuid && byUuid.has(uuid)) {
      res.json({ code: 0, msg: "success", data: { message_id: byUuid.get(uuid) } });
      return;
    }
    const id = `om_fake_${++msgSeq}`;
    if (uuid) byUuid.set(uuid, id);
    delivered.push(res.locals.call as RecordedCall);
    res.json({ code: 0, msg: "success", data: { message_id: id, ...extra } });
  };
  app.post("/open-apis/im/v1/messages", route("create"), (req, res) => sent(req, res, { chat_id: req.body.receive_id }));
  app.post("/open-apis/im/v1/messages/:id/reply", route("reply"), (req, res) => sent(req, res));
  app.patch("/open-apis/im/v1/messages/:id", route("patch"), (_req, res) => {
    delivered.push(res.locals.call as RecordedCall);
    res.json({ code: 0, msg: "success", data: {} });
  });
  app.patch("/open-apis/im/v1/messages/:id/urgent_app", route("urgent"), (_req, res) => {
    delivered.push(res.locals.call as RecordedCall);
    res.json({ code: 0, msg: "success", data: { invalid_user_id_list: [] } });
  });
  app.post("/open-apis/ephemeral/v1/send", route("ephemeral"), (req, res) => sent(req, res));

  // ── long connection: endpoint discovery, then pbbp2 frames over a WebSocket ──
  const sockets = new Set<WebSocket>();
  const acks = new Map<string, (f: Frame) => void>();
  let wsConnections = 0;
  let roundRobin = 0;
  let port = 0;
  app.post("/callback/ws/endpoint", (req, res) => {
    if (!req.body?.AppID || !req.body?.AppSecret) {
      res.json({ code: 514, msg: "auth failed" });
      return;
    }
    res.json({
      code: 0,
      data: {
        URL: `ws://127.0.0.1:${port}/ws?fake=1&device_id=dev1&service_id=7`,
        ClientConfig: { PingInterval: opts.wsPingIntervalSeconds ?? 120, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 },
      },
    });
  });

  const server: Server = await new Promise((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const wss = new WebSocketServer({ server, path: "/ws" });
  // Pings are never answered: a client without a liveness watchdog would wait forever.
  wss.on("connection", (ws) => {
    wsConnections++;
    sockets.add(ws);
    ws.on("close", () => sockets.delete(ws));
    ws.on("message", (data: Buffer) => {
      const f = decodeFrame(new Uint8Array(data));
      const id = f.headers.find((h) => h.key === "message_id")?.value;
      if (f.method === 1 && id) acks.get(id)?.(f);
    });
  });

  return {
    url,
    calls,
    /** Successful deliveries only (not retries that failed, not uuid repeats). */
    get delivered() {
      return delivered;
    },
    /** Answer token requests with this app secret as Lark does a wrong one (code 10014). */
    rejectSecret(secret: string) {
      rejectedSecrets.add(secret);
    },
    /** Queue responses for a route: token | create | reply | patch | urgent | ephemeral. */
    fail(name: string, ...responses: Scripted[]) {
      script.set(name, [...(script.get(name) ?? []), ...responses]);
    },
    /** The Open API is unreachable (connections cut) for the next ms milliseconds. */
    down(ms: number) {
      downUntil = Date.now() + ms;
    },
    /** Forget issued tokens, as Lark does when one expires early. */
    revokeTokens: () => validTokens.clear(),
    reset() {
      calls.length = 0;
      delivered = [];
      script.clear();
    },
    /** Long connections opened so far (reconnects included). */
    get wsConnections() {
      return wsConnections;
    },
    /** Connected long-connection clients. */
    get wsClients() {
      return sockets.size;
    },
    /**
     * Pushes an event frame to the newest open connection (or, spread, to the open connections
     * in turn: Lark gives each event to one of an app's clients) and resolves with its ack
     * payload ({code}). Like Lark, it resends when no ack comes (a connection can be replaced
     * while the client starts up).
     */
    pushEvent(envelope: unknown, messageId: string, o: { spread?: boolean } = {}): Promise<{ code: number }> {
      return new Promise((resolve, reject) => {
        let tries = 0;
        const send = () => {
          const open = [...sockets].filter((x) => x.readyState === x.OPEN);
          const ws = o.spread ? open[roundRobin++ % Math.max(1, open.length)] : open[open.length - 1];
          if (!ws) return;
          const headers = [
            { key: "type", value: "event" },
            { key: "message_id", value: messageId },
            { key: "sum", value: "1" },
            { key: "seq", value: "0" },
            { key: "trace_id", value: `trace-${messageId}-${tries}` },
          ];
          ws.send(encodeFrame({ SeqID: 1, LogID: 1, service: 7, method: 1, headers, payload: new TextEncoder().encode(JSON.stringify(envelope)) }));
        };
        const timer = setInterval(() => {
          if (++tries > 5) {
            clearInterval(timer);
            reject(new Error(`no ack for frame ${messageId} after ${tries - 1} deliveries`));
          } else send();
        }, 2_000);
        acks.set(messageId, (f) => {
          clearInterval(timer);
          acks.delete(messageId);
          resolve(JSON.parse(new TextDecoder().decode(f.payload)));
        });
        send();
      });
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.terminate();
        wss.close();
        server.close(() => r());
      }),
  };
}

export type FakeLark = Awaited<ReturnType<typeof startFakeLark>>;
export const RATE_LIMITED = { status: 429, body: { code: 99991400, msg: "request trigger frequency limit" }, headers: { "x-ogw-ratelimit-reset": "0" } };
export const SERVER_ERROR = { status: 500, body: { code: 500, msg: "internal error" } };
