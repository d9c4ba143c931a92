import { redactValue } from "./redact.ts";

export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose every line carries these fields (e.g. one per event). */
  child(bindings: Record<string, unknown>): Logger;
  /** Never write these values, wherever they appear (inside an error message, say); for this logger and its children. */
  maskValues(values: Array<string | undefined>): void;
}

export type LogSink = (line: string) => void;

/**
 * One JSON object per line. Every field passes through redactValue, so secrets (by key name)
 * and customer PII (by pattern) never reach the sink, whoever calls the logger.
 */
export function createLogger(level: LogLevel = "info", sink: LogSink = (l) => process.stdout.write(`${l}\n`), bindings: Record<string, unknown> = {}, secrets: Set<string> = new Set()): Logger {
  const min = RANK[level];
  const emit = (lvl: Exclude<LogLevel, "silent">, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < min) return;
    let line = JSON.stringify(redactValue({ time: new Date().toISOString(), level: lvl, msg, ...bindings, ...fields }));
    // Secrets by value too: a token quoted inside a library's error message has no telling key.
    for (const secret of secrets) if (line.includes(secret)) line = line.split(secret).join("[SECRET]");
    sink(line);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (b) => createLogger(level, sink, { ...bindings, ...b }, secrets),
    maskValues(values) {
      // Short values would mask ordinary words; configured secrets are long.
      for (const v of values) if (v && v.length >= 6) secrets.add(v);
    },
  };
}

/** Collects lines in memory; for tests that assert on what was (not) logged. */
export function createMemoryLogger(level: LogLevel = "debug"): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger(level, (l) => lines.push(l)),
    { lines },
  );
}
