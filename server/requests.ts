/**
 * What happens around every request, before the routes: a request id (the one id a caller quotes
 * to an operator: in the `X-Request-Id` header and as `requestId` in every error body), the
 * client's address (from `X-Forwarded-For` only when the connection comes from a configured
 * trusted proxy), limits on failed authentications per address and on requests per token, and
 * one structured JSON log line per request (pino): id, method, route, status, duration, token
 * name and address — never a secret, never facts.
 *
 * The limits' counters live in this instance's memory: behind a balancer of N instances an
 * address gets up to N times the failures before every instance refuses it. That is stated in
 * server/README.md; sharing them would cost a database round trip on every request.
 */
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Logger } from 'pino';
import type { AppEnv, Ctx } from './context.ts';
import type { ErrorBody } from './wire.ts';

export interface RequestLimits {
  /** Failed authentications an address may make in `windowSeconds` before answers slow down. */
  authFailuresBeforeSlowing: number;
  /** …and before it is refused (429 with Retry-After) until the window passes. */
  authFailuresBeforeRefusing: number;
  windowSeconds: number;
  /** Requests one token may make per minute; 0: no limit. */
  perTokenPerMinute: number;
}

export const DEFAULT_LIMITS: RequestLimits = { authFailuresBeforeSlowing: 5, authFailuresBeforeRefusing: 20, windowSeconds: 60, perTokenPerMinute: 0 };

const REQUEST_ID = /^[\w.:-]{1,64}$/;

/** Counts in fixed windows per key; old windows are dropped as keys are touched and swept. */
export class WindowCounter {
  private readonly counts = new Map<string, { start: number; n: number }>();
  constructor(private readonly windowMs: number) {}

  /** The count for `key` in its current window after adding `by`, and when that window ends. */
  add(key: string, by: number, now = Date.now()): { n: number; resetAt: number } {
    let e = this.counts.get(key);
    if (!e || now - e.start >= this.windowMs) {
      e = { start: now, n: 0 };
      this.counts.set(key, e);
      if (this.counts.size > 10_000) this.sweep(now);
    }
    e.n += by;
    return { n: e.n, resetAt: e.start + this.windowMs };
  }

  peek(key: string, now = Date.now()): { n: number; resetAt: number } {
    return this.add(key, 0, now);
  }

  private sweep(now: number): void {
    for (const [k, e] of this.counts) if (now - e.start >= this.windowMs) this.counts.delete(k);
  }
}

/**
 * The client's address: the connection's peer, or — when that peer is a trusted proxy — the
 * nearest address in `X-Forwarded-For` that is not one of the trusted proxies.
 */
export function clientAddress(c: Ctx, trustedProxies: readonly string[]): string {
  let peer = 'unknown';
  try {
    peer = getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
  }
  if (trustedProxies.length === 0 || !trustedProxies.includes(normalise(peer))) return peer;
  const chain = (c.req.header('x-forwarded-for') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = chain.length - 1; i >= 0; i--) if (!trustedProxies.includes(normalise(chain[i]!))) return chain[i]!;
  return peer;
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) as `127.0.0.1`. */
function normalise(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}

export interface RequestContext {
  logger?: Logger;
  trustedProxies: readonly string[];
  limits: RequestLimits;
}

/** Request id, access log, and the requestId in error bodies. First middleware of the app. */
export function requestIds(ctx: RequestContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const id = given && REQUEST_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.set('client', clientAddress(c, ctx.trustedProxies));
    await next();
    c.res.headers.set('x-request-id', id);
    if (c.res.status >= 400 && (c.res.headers.get('content-type') ?? '').includes('application/json')) {
      // Every error body carries the id, whichever handler wrote it.
      try {
        const body = (await c.res.clone().json()) as ErrorBody;
        if (body?.error && typeof body.error === 'object') {
          body.error.requestId = id;
          const headers = new Headers(c.res.headers);
          headers.delete('content-length');
          c.res = new Response(JSON.stringify(body), { status: c.res.status, headers });
        }
      } catch {
        // Not an error body: leave it.
      }
    }
    ctx.logger?.info({
      requestId: id,
      method: c.req.method,
      route: c.req.routePath || 'unmatched',
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      token: c.get('actor')?.name,
      client: c.get('client'),
    });
  };
}

/** The failed-authentication and per-token limits around authentication. */
export class RateLimits {
  private readonly failures: WindowCounter;
  private readonly perToken = new WindowCounter(60_000);

  constructor(readonly limits: RequestLimits) {
    this.failures = new WindowCounter(limits.windowSeconds * 1000);
  }

  /** Seconds until `address` may try again, when it is refused now. */
  refusedFor(address: string, now = Date.now()): number | undefined {
    const { n, resetAt } = this.failures.peek(address, now);
    return n >= this.limits.authFailuresBeforeRefusing ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : undefined;
  }

  /** Counts a failure; how long to hold the answer (slowing guessing), ms. */
  failed(address: string, now = Date.now()): number {
    const { n } = this.failures.add(address, 1, now);
    const over = n - this.limits.authFailuresBeforeSlowing;
    return over <= 0 ? 0 : Math.min(2000, 100 * 2 ** Math.min(over, 5));
  }

  /** Counts a request of a token; seconds to wait when over its limit. */
  tokenOver(tokenId: number, now = Date.now()): number | undefined {
    if (!this.limits.perTokenPerMinute) return undefined;
    const { n, resetAt } = this.perToken.add(String(tokenId), 1, now);
    return n > this.limits.perTokenPerMinute ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : undefined;
  }
}
