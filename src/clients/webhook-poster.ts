import { createHmac } from "node:crypto";

/**
 * Hints and alerts for another chat platform, POSTed to the URL its team configured
 * (CHANNEL_WEBHOOKS), signed so the receiver can trust them:
 *   X-CS-Coach-Timestamp: unix seconds
 *   X-CS-Coach-Signature: v1=hex(HMAC-SHA256(secret, `${timestamp}.${body}`))
 *   X-CS-Coach-Delivery:  the outbox uuid (the same on every retry: deduplicate on it)
 * The receiver recomputes the HMAC over the raw body, compares in constant time, and refuses
 * timestamps older than a few minutes.
 */
export interface WebhookPoster {
  post(url: string, body: Record<string, unknown>, uuid: string): Promise<{ messageId?: string }>;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/** An HTTP failure shaped as the outbox's error classifier reads it (4xx: give up; 429/5xx: retry). */
class WebhookHttpError extends Error {
  constructor(readonly response: { status: number; data: { msg: string } }) {
    super(response.data.msg);
  }
}

export function createWebhookPoster(o: { secret: string; now: () => number; timeoutMs?: number }): WebhookPoster {
  return {
    async post(url, body, uuid) {
      const raw = JSON.stringify(body);
      const ts = Math.floor(o.now() / 1000);
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-cs-coach-timestamp": String(ts), "x-cs-coach-signature": signWebhook(o.secret, ts, raw), "x-cs-coach-delivery": uuid },
        body: raw,
        signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
        // A redirect is not followed: the signed body goes only to the URL the team configured.
        redirect: "manual",
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 300 && res.status < 400) throw new WebhookHttpError({ status: res.status, data: { msg: `webhook answered a redirect (HTTP ${res.status}); configure its final URL` } });
      if (!res.ok) throw new WebhookHttpError({ status: res.status, data: { msg: `webhook answered HTTP ${res.status}` } });
      return { messageId: uuid };
    },
  };
}
