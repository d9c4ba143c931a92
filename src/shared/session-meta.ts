/**
 * A session's `meta` column: the JSON object of facts its channel sent (orderId, url,
 * agentOpenId, channel, …). Anything unreadable is no facts at all.
 */
export function parseSessionMeta(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The channel name an ingest platform sent with its messages, if any. */
export const sentChannel = (meta: Record<string, unknown>): string | undefined => (typeof meta.channel === "string" ? meta.channel : undefined);
