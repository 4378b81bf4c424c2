/** What every route handler can reach, and the one way routes are registered. */
import type { Context, Handler, Hono } from 'hono';
import { allowed, PERMISSIONS, type RouteKey } from './auth/permissions.ts';
import { ApiError } from './errors.ts';
import type { DecisionLog, DecisionLogConfig } from './decisionLog.ts';
import type { EnginePort } from './engine.ts';
import type { JobRunner, JobTiming } from './jobs.ts';
import type { RequestLimits } from './requests.ts';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { PolicyService } from './policies.ts';
import type { Clock, Role, Store } from './store/store.ts';
import type { Auth } from './auth/auth.ts';
import type { OidcLogin, OidcSettings } from './auth/oidc.ts';
import type { Scope } from './auth/grants.ts';
import { checkRouteScope } from './auth/scope.ts';

export interface ServerConfig {
  decisionLog: DecisionLogConfig;
  /** Largest JSON body, bytes. */
  jsonLimit: number;
  /** Largest simulation upload, bytes. */
  uploadLimit: number;
  /** Largest NDJSON line in a batch, bytes. */
  batchLineLimit: number;
  /** Folder of the built admin UI; missing → a page saying how to build it. */
  uiDir?: string;
  /** Simulation jobs: heartbeat, take-over and polling intervals, jobs per instance. */
  jobs?: Partial<JobTiming>;
  /** Limits on failed authentications per client address and on requests per token. */
  limits?: Partial<RequestLimits>;
  /**
   * Addresses of reverse proxies whose `X-Forwarded-For` is believed; without any, the client's
   * address is the connection's peer and the header is ignored.
   */
  trustedProxies?: string[];
  /** OpenID Connect login for the admin UI (server/auth/oidc.ts); none: tokens only. */
  oidc?: OidcSettings;
}

export const DEFAULT_CONFIG: ServerConfig = {
  decisionLog: { retentionDays: 365, maskFields: [] },
  jsonLimit: 1024 * 1024,
  uploadLimit: 50 * 1024 * 1024,
  batchLineLimit: 1024 * 1024,
};

export interface Actor {
  /** The person's name (as first registered); four eyes compares `personId`. */
  name: string;
  role: Role;
  tokenId: number;
  personId: number;
  /** Jurisdictions the token's role grant covers (`*`: all). */
  scope: Scope;
  /** The person or this role's grant awaits a second admin: only `GET /api/v1/me` answers. */
  pending: boolean;
}

export interface AppDeps {
  store: Store;
  clock: Clock;
  auth: Auth;
  config: ServerConfig;
  engine: EnginePort;
  policies: PolicyService;
  decisions: DecisionLog;
  jobs: JobRunner;
  metrics: Metrics;
  /** Set when the instance starts shutting down: `/readyz` answers 503 so a load balancer stops sending. */
  lifecycle: { draining: boolean };
  /** The access log (one JSON line per request); none in tests unless asked. */
  logger?: Logger;
  /** The library folder the server was seeded from, which `POST /api/v1/library/sync` proposes. */
  policiesDir?: string;
  /** The OpenID Connect relying party, when `config.oidc` is set. */
  oidc?: OidcLogin;
}

export type AppEnv = { Variables: { actor: Actor | undefined; deps: AppDeps; requestId: string; client: string } };
export type Ctx = Context<AppEnv>;
export type App = Hono<AppEnv>;

/** Registers a route after the permission table's check; a route missing from the table is a bug. */
export function route(app: App, key: RouteKey, handler: (c: Ctx) => Response | Promise<Response>): void {
  const [method, path] = key.split(' ') as [string, string];
  if (!(key in PERMISSIONS)) throw new Error(`route ${key} is not in the permission table`);
  const guard: Handler<AppEnv> = async (c, next) => {
    if (PERMISSIONS[key] === 'public') return next();
    const actor = c.get('actor');
    if (!actor) throw ApiError.of(401, 'auth.missing-token');
    if (actor.pending && key !== 'GET /api/v1/me') {
      throw ApiError.of(403, 'auth.pending', [
        { path: 'token.name', message: { zh: `${actor.name} 的 ${actor.role} 授权待另一位管理员批准`, en: `${actor.name}'s ${actor.role} grant awaits a second admin's approval` } },
      ]);
    }
    if (!allowed(key, actor.role)) {
      throw ApiError.of(403, 'auth.forbidden', [
        { path: 'token.role', message: { zh: `角色 ${actor.role} 不能调用 ${key}`, en: `role ${actor.role} may not call ${key}` } },
      ]);
    }
    await checkRouteScope(c, key, actor);
    return next();
  };
  app.on(method, path, guard, (c) => handler(c));
}

export function actorOf(c: Ctx): Actor {
  const a = c.get('actor');
  if (!a) throw ApiError.of(401, 'auth.missing-token');
  return a;
}

/** A path parameter; routes are registered with their paths, so a missing one is a bug. */
export function param(c: Ctx, name: string): string {
  const v = c.req.param(name as never) as string | undefined;
  if (v === undefined) throw new Error(`route has no parameter ${name}`);
  return v;
}

export function depsOf(c: Ctx): AppDeps {
  return c.get('deps');
}

/** Today's date in Asia/Shanghai, the calendar every policy date is written in. */
export function todayInShanghai(clock: Clock): string {
  return new Date(clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}
