import type { IncomingHttpHeaders } from "node:http";

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

/** The caller's socket is on this machine. */
export const fromLoopback = (remoteAddress: string | undefined) => LOOPBACK.has(remoteAddress ?? "");

/**
 * A request that passed through a proxy: behind nginx on the same host every caller arrives
 * from loopback, so what is open to "this machine only" must refuse anything forwarded.
 */
export const wasForwarded = (headers: IncomingHttpHeaders) => headers["x-forwarded-for"] !== undefined || headers.forwarded !== undefined || headers["x-real-ip"] !== undefined;

/** A caller on this machine, talking to us directly: the one who may use what is open without credentials. */
export const directLoopback = (remoteAddress: string | undefined, headers: IncomingHttpHeaders) => fromLoopback(remoteAddress) && !wasForwarded(headers);
