import { redactPii } from "./pii.ts";

/**
 * Customer PII must not leave the process (logs, cards, LLM prompts, exports) in clear text.
 * What counts is shared/pii.ts's one definition — the privacy rule uses the same — and each
 * match becomes a typed placeholder so a reader still sees *what* was there.
 */
export function redactText(text: string): string {
  return redactPii(text);
}

/** Redact first, then shorten: a clipped number would no longer look like one (and would leak). */
export function redactClip(text: string, max: number): string {
  const r = redactText(text);
  return r.length > max ? `${r.slice(0, max)}…` : r;
}

const SECRET_KEY = /secret|token|password|authorization|encrypt|api[_-]?key|signature/i;

/** Deep copy of a log/prompt payload with secrets masked and every string redacted. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[…]";
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "[SECRET]" : redactValue(v, depth + 1);
    return out;
  }
  return value;
}
