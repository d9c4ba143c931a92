import { z } from "zod";
import { DEFAULTS } from "./defaults.ts";

const csv = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

const intWithDefault = (d: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(min, `must be at least ${min}`).max(max, `must be at most ${max}`).default(d);

/** "shop-web=https://…,*=https://…": a channel's webhook URL, `*` for any other channel. */
const webhookMap = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const out: Record<string, string> = {};
    for (const part of (v ?? "")
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean)) {
      const eq = part.indexOf("=");
      const name = part.slice(0, eq).trim();
      const url = part.slice(eq + 1).trim();
      if (eq < 1 || !/^https?:\/\/[^\s/]+/.test(url)) {
        ctx.addIssue({ code: "custom", message: `"${part}" must be channel=https://… (comma-separated; * for any channel)` });
        return z.NEVER;
      }
      out[name] = url;
    }
    return out;
  });

/**
 * Every setting CS Coach reads, in one schema. This module is the only reader of process.env;
 * everything else receives the parsed Config. Names are documented in .env.example.
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    PORT: intWithDefault(DEFAULTS.port, 0, 65535),
    HOST: z.string().default("0.0.0.0"),
    LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
    DATABASE_URL: z
      .string()
      .default(DEFAULTS.databaseUrl)
      .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), {
        message: "must start with file: (SQLite) or postgresql:// (PostgreSQL)",
      }),

    LARK_APP_ID: optionalText,
    LARK_APP_SECRET: optionalText,
    LARK_ENCRYPT_KEY: optionalText,
    LARK_VERIFICATION_TOKEN: optionalText,
    LARK_DOMAIN: z
      .string()
      .default("feishu")
      .refine((v) => v === "feishu" || v === "lark" || /^https?:\/\/[^/]+(\/.*)?$/.test(v), {
        message: "must be feishu, lark, or a base URL such as http://127.0.0.1:8080",
      })
      .transform((v) => v.replace(/\/+$/, "")),
    LARK_EVENT_MODE: z.enum(["webhook", "ws"]).default("webhook"),
    /** Production webhooks need LARK_ENCRYPT_KEY (signed bodies); "true" opts out, knowingly. */
    LARK_ALLOW_UNSIGNED: z
      .enum(["true", "false"], { error: 'must be "true" or "false"' })
      .default("false")
      .transform((v) => v === "true"),

    INGEST_TOKEN: optionalText,
    AGENT_OPEN_IDS: csv,
    SUPERVISOR_OPEN_IDS: csv,
    /** Team leads: the console's whole-team view (as supervisors), without acting on alerts. */
    TEAM_LEAD_OPEN_IDS: csv,
    /** Where people reach this server (the console's links on cards, Lark's OAuth redirect). */
    PUBLIC_URL: optionalText.pipe(
      z
        .string()
        .regex(/^https?:\/\/[^/\s]+(\/\S*)?$/, "must be a base URL such as https://cs-coach.example.com")
        .transform((v) => v.replace(/\/+$/, ""))
        .optional(),
    ),
    /** Signs console sign-in cookies; at least 32 characters. Unset: derived from LARK_APP_SECRET (or random per run in dry-run). */
    SUPERVISOR_CHAT_ID: optionalText,
    STANDUP_CHAT_ID: optionalText,
    STANDUP_TIME: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM (24 h)")
      .default("09:00"),
    STANDUP_CRON: optionalText,
    TZ: z
      .string()
      .default("Asia/Shanghai")
      .refine((tz) => {
        try {
          new Intl.DateTimeFormat("en", { timeZone: tz });
          return true;
        } catch {
          return false;
        }
      }, "must be an IANA time zone such as Asia/Shanghai"),
    /** Language of cards and summaries. */
    UI_LANG: z.enum(["zh", "en"]).default("zh"),

    OPENAI_API_KEY: optionalText,
    OPENAI_BASE_URL: optionalText.pipe(z.url({ message: "must be a URL" }).optional()),
    OPENAI_MODEL: z.string().default("gpt-4o-mini"),
    OPENAI_EMBEDDING_MODEL: z.string().default("text-embedding-3-small"),
    OPENAI_TIMEOUT_MS: intWithDefault(DEFAULTS.llmTimeoutMs, 100),

    CHANNEL_WEBHOOKS: webhookMap,
    CHANNEL_WEBHOOK_SECRET: optionalText,

    POLICY_FILE: optionalText,
    KB_PATH: optionalText,
    LESSONS_DIR: optionalText,
    HINTS_PER_MINUTE: intWithDefault(3, 1),
    KB_MIN_SCORE: z.coerce.number().min(0).default(2),
    MAX_BODY_BYTES: intWithDefault(DEFAULTS.maxBodyBytes, 1024),
    MAX_IN_FLIGHT_REQUESTS: intWithDefault(DEFAULTS.maxInFlightRequests, 1),
    SIGNATURE_WINDOW_SECONDS: intWithDefault(DEFAULTS.signatureWindowSeconds, 1),
    SESSION_IDLE_MINUTES: intWithDefault(DEFAULTS.sessionIdleMinutes, 1),
    OUTBOX_MAX_ATTEMPTS: intWithDefault(DEFAULTS.outboxMaxAttempts, 1),
    LARK_PER_TARGET_QPS: intWithDefault(DEFAULTS.larkPerTargetQps, 1),
    LARK_PER_APP_QPS: intWithDefault(DEFAULTS.larkPerAppQps, 1),
    WS_PING_TIMEOUT_SECONDS: intWithDefault(DEFAULTS.wsPingTimeoutSeconds, 1),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.LARK_APP_ID) !== Boolean(env.LARK_APP_SECRET)) {
      ctx.addIssue({ code: "custom", path: ["LARK_APP_SECRET"], message: "LARK_APP_ID and LARK_APP_SECRET go together: set both or neither" });
    }
    if (env.LARK_EVENT_MODE === "ws" && !env.LARK_APP_ID) {
      ctx.addIssue({ code: "custom", path: ["LARK_EVENT_MODE"], message: "ws (long connection) needs LARK_APP_ID and LARK_APP_SECRET" });
    }
    if (env.STANDUP_CRON && !/^\s*\d{1,2}\s+\d{1,2}\s+\*\s+\*\s+\*\s*$/.test(env.STANDUP_CRON)) {
      ctx.addIssue({ code: "custom", path: ["STANDUP_CRON"], message: 'must be a daily "minute hour * * *" schedule (or use STANDUP_TIME)' });
    }
    if (Object.keys(env.CHANNEL_WEBHOOKS).length && (!env.CHANNEL_WEBHOOK_SECRET || env.CHANNEL_WEBHOOK_SECRET.length < 16)) {
      ctx.addIssue({ code: "custom", path: ["CHANNEL_WEBHOOK_SECRET"], message: "is required (16+ characters) when CHANNEL_WEBHOOKS is set: every webhook is signed with it" });
    }
    if (env.NODE_ENV === "production" && env.LARK_EVENT_MODE === "webhook" && (env.LARK_APP_ID || env.LARK_VERIFICATION_TOKEN) && !env.LARK_ENCRYPT_KEY && !env.LARK_ALLOW_UNSIGNED) {
      ctx.addIssue({
        code: "custom",
        path: ["LARK_ENCRYPT_KEY"],
        message:
          "is required in production: without it webhook events are not signed and anyone who learns the verification token can forge them (copy the Encrypt Key from Events & Callbacks → Encryption, or set LARK_ALLOW_UNSIGNED=true to accept that risk)",
      });
    }
    if (env.NODE_ENV === "production" && !env.INGEST_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["INGEST_TOKEN"], message: "is required in production (the ingest API would otherwise accept loopback callers only)" });
    }
  });

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env;
  /** No Lark credentials: nothing leaves the machine; sends are recorded and printed. */
  dryRun: boolean;
  database: { provider: "sqlite" | "postgresql"; url: string };
}

/** Variables whose values may be echoed in an error (never a secret's). */
const ECHO = new Set([
  "PORT",
  "HOST",
  "NODE_ENV",
  "LOG_LEVEL",
  "LARK_DOMAIN",
  "LARK_EVENT_MODE",
  "STANDUP_TIME",
  "STANDUP_CRON",
  "TZ",
  "UI_LANG",
  "PUBLIC_URL",
  "OPENAI_BASE_URL",
  "OPENAI_MODEL",
  "POLICY_FILE",
  "KB_PATH",
  "LESSONS_DIR",
]);

/** One line per problem, each naming its variable (see .env.example for every variable). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `configuration error: ${p}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** A start-up step that failed for a reason the operator can fix: one line naming the variable. */
export class StartupError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(`start-up failed: ${variable}: ${detail.replace(/\s*\n\s*/g, "; ")}`);
    this.name = "StartupError";
  }
}

/** Parse once at start-up; throws ConfigError listing every bad value. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join(".") || "(env)";
        const value = source[name];
        return `${name}: ${i.message}${ECHO.has(name) && value !== undefined ? ` (got "${value}")` : ""}`;
      }),
    );
  }
  const env = parsed.data;
  return {
    env,
    dryRun: !env.LARK_APP_ID,
    database: { provider: env.DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql", url: env.DATABASE_URL },
  };
}
