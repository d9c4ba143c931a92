import * as lark from "@larksuiteoapi/node-sdk";
import type { Logger } from "../shared/logger.ts";
import { redactValue } from "../shared/redact.ts";
import { LarkApiError } from "./lark-errors.ts";

/** What the outbox can ask of Lark (and of a channel webhook). */
export type OutboxKind = "message.create" | "message.reply" | "message.patch" | "ephemeral.send" | "message.urgent" | "webhook.post";

export interface OutboundRequest {
  kind: OutboxKind;
  target: string;
  payload: Record<string, unknown>;
  uuid: string;
}

/** The one door through which anything leaves for Lark. Tests pass a fake or the real one at a fake server. */
export interface LarkSender {
  readonly dryRun: boolean;
  send(req: OutboundRequest): Promise<{ messageId?: string }>;
  /** Drop the cached tenant token so the next call fetches a fresh one. */
  invalidateToken(): void;
  /**
   * Asks Lark for a tenant token with the configured credentials: "rejected" means the app id
   * or secret is wrong (no retry will help), "unreachable" that Lark could not be asked.
   */
  checkCredentials(): Promise<{ state: "ok" } | { state: "rejected" | "unreachable"; detail: string }>;
}

/** The Open API's base URL for a LARK_DOMAIN value. */
export function openApiBase(domain: string): string {
  return domain === "feishu" ? "https://open.feishu.cn" : domain === "lark" ? "https://open.larksuite.com" : domain;
}

export interface LarkClientOptions {
  appId: string;
  appSecret: string;
  domain: string;
  logger: Logger;
}

export function larkDomain(domain: string): string | lark.Domain {
  return domain === "feishu" ? lark.Domain.Feishu : domain === "lark" ? lark.Domain.Lark : domain;
}

/** A token cache of our own (the SDK's default is process-wide and cannot be invalidated). */
function createTokenCache() {
  const store = new Map<string, { value: unknown; expire?: number }>();
  const k = (key: string | symbol, ns?: string) => `${ns ?? ""}:${String(key)}`;
  return {
    cache: {
      async set(key: string | symbol, value: unknown, expire?: number, options?: { namespace?: string }) {
        store.set(k(key, options?.namespace), { value, expire });
        return true;
      },
      async get(key: string | symbol, options?: { namespace?: string }) {
        const hit = store.get(k(key, options?.namespace));
        if (!hit) return undefined;
        if (hit.expire && hit.expire < Date.now()) return undefined;
        return hit.value;
      },
    } as unknown as lark.Cache,
    clear: () => store.clear(),
  };
}

/** The SDK logs failed requests with their bodies (message content): route it through our redacting logger, quietly. */
function sdkLogger(log: Logger) {
  const line =
    (level: string) =>
    (...args: unknown[]) =>
      log.debug("lark sdk", { sdkLevel: level, detail: args.flat() });
  return { error: line("error"), warn: line("warn"), info: line("info"), debug: line("debug"), trace: line("trace") };
}

export function createLarkClient(opts: LarkClientOptions) {
  const tokens = createTokenCache();
  const client = new lark.Client({
    appId: opts.appId,
    appSecret: opts.appSecret,
    domain: larkDomain(opts.domain),
    cache: tokens.cache,
    logger: sdkLogger(opts.logger.child({ component: "lark-sdk" })),
    loggerLevel: lark.LoggerLevel.debug,
  });
  return { client, invalidateToken: tokens.clear };
}

const content = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Lark answers some business errors with HTTP 200 and a non-zero code. */
function ok<T extends { code?: number; msg?: string; data?: unknown }>(res: T): T {
  if (res && typeof res.code === "number" && res.code !== 0) throw new LarkApiError(res.code, res.msg ?? "error");
  return res;
}

export function createLarkSender(opts: LarkClientOptions): LarkSender {
  const { client, invalidateToken } = createLarkClient(opts);
  return {
    dryRun: false,
    invalidateToken,
    async checkCredentials() {
      try {
        const res = await fetch(`${openApiBase(opts.domain)}/open-apis/auth/v3/tenant_access_token/internal`, {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8" },
          body: JSON.stringify({ app_id: opts.appId, app_secret: opts.appSecret }),
          signal: AbortSignal.timeout(5000),
        });
        const body = (await res.json().catch(() => ({}))) as { code?: number; msg?: string; tenant_access_token?: string };
        if (body.code === 0 && body.tenant_access_token) return { state: "ok" as const };
        if (res.status >= 500) return { state: "unreachable" as const, detail: `HTTP ${res.status}` };
        return { state: "rejected" as const, detail: `code ${body.code ?? res.status}: ${body.msg ?? "no message"}` };
      } catch (e) {
        return { state: "unreachable" as const, detail: (e as Error).message };
      }
    },
    async send({ kind, target, payload, uuid }) {
      // biome-ignore lint/suspicious/noExplicitAny: the payload is what the card builders made, passed through
      const p = payload as Record<string, any>;
      switch (kind) {
        case "message.create": {
          const [idType, ...rest] = target.split(":");
          const res = ok(
            await client.im.v1.message.create({
              params: { receive_id_type: idType as "chat_id" },
              data: { receive_id: rest.join(":"), msg_type: p.msg_type, content: content(p.content), uuid },
            }),
          );
          return { messageId: res.data?.message_id };
        }
        case "message.reply": {
          const res = ok(
            await client.im.v1.message.reply({
              path: { message_id: target },
              data: { msg_type: p.msg_type, content: content(p.content), uuid, reply_in_thread: p.reply_in_thread },
            }),
          );
          return { messageId: res.data?.message_id };
        }
        case "message.patch":
          ok(await client.im.v1.message.patch({ path: { message_id: target }, data: { content: content(p.content) } }));
          return { messageId: target };
        case "message.urgent": {
          const res = ok(
            await client.im.v1.message.urgentApp({
              path: { message_id: target },
              params: { user_id_type: "open_id" },
              data: { user_id_list: p.user_id_list },
            }),
          );
          // Lark buzzes whom it can and names the rest (not in the chat, left the company…).
          const invalid = res.data?.invalid_user_id_list ?? [];
          if (invalid.length) opts.logger.warn("urgent buzz: Lark could not reach some supervisors", { messageId: target, invalidUserIds: invalid });
          return { messageId: target };
        }
        case "ephemeral.send": {
          // Not in the SDK's generated methods; client.request still signs it with the tenant token.
          const res = ok(
            await client.request<{ code?: number; msg?: string; data?: { message_id?: string } }>({
              method: "POST",
              url: "/open-apis/ephemeral/v1/send",
              data: { chat_id: target, open_id: p.open_id, msg_type: "interactive", card: p.card },
            }),
          );
          return { messageId: res.data?.message_id };
        }
        default:
          throw new LarkApiError(-1, `${kind} is not a Lark send`);
      }
    },
  };
}

/** No Lark credentials: record and print what would be sent; nothing leaves the machine. */
export function createDryRunSender(log: Logger, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): LarkSender {
  return {
    dryRun: true,
    invalidateToken() {},
    checkCredentials: async () => ({ state: "ok" as const }),
    async send({ kind, target, payload, uuid }) {
      log.info("dry-run: would send to Lark", { kind, target, uuid });
      // Printed like a log line: customer PII in quoted text is redacted here too.
      print(`[dry-run] ${kind} → ${target}\n${JSON.stringify(redactValue(payload), null, 2)}`);
      return { messageId: `dry_${uuid}` };
    },
  };
}
