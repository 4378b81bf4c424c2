/**
 * The HTTP application as a factory: `createApp(deps)` returns a Hono app that tests drive with
 * `app.request()`; `prepareDeps` builds the services from an open store. Routes live in
 * server/routes/, each registered through the permission table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { Auth } from './auth/auth.ts';
import { OidcLogin } from './auth/oidc.ts';
import { oidcRoutes } from './routes/oidc.ts';
import { PERMISSIONS } from './auth/permissions.ts';
import { DEFAULT_CONFIG, type App, type AppDeps, type AppEnv, type ServerConfig } from './context.ts';
import { DecisionLog } from './decisionLog.ts';
import { loadEngine, type EnginePort } from './engine.ts';
import { ApiError } from './errors.ts';
import { DEFAULT_JOB_TIMING, JobRunner } from './jobs.ts';
import { Metrics } from './metrics.ts';
import { PolicyService } from './policies.ts';
import { diffRoutes } from './routes/diff.ts';
import { draftRoutes } from './routes/drafts.ts';
import { analyzeRoutes } from './routes/analyze.ts';
import { batchRoutes } from './routes/batch.ts';
import { evaluateRoutes } from './routes/evaluate.ts';
import { personRoutes } from './routes/persons.ts';
import { metaRoutes } from './routes/meta.ts';
import { policyRoutes } from './routes/policies.ts';
import { simulateRoutes } from './routes/simulate.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { bundleRoutes } from './bundles/routes.ts';
import { libraryRoutes } from './library/routes.ts';
import { reportRoutes } from './report/routes.ts';
import { DEFAULT_LIMITS, RateLimits, requestIds } from './requests.ts';
import type { Logger } from 'pino';
import type { Clock, Store } from './store/store.ts';

export type { AppDeps, ServerConfig } from './context.ts';
export { DEFAULT_CONFIG } from './context.ts';

/** Builds the services around an open store: engine, library (loaded from SQLite), log, jobs. */
export async function prepareDeps(opts: {
  store: Store;
  clock: Clock;
  config?: Partial<ServerConfig>;
  engine?: EnginePort;
  policiesDir?: string;
  logger?: Logger;
}): Promise<AppDeps> {
  const config: ServerConfig = { ...DEFAULT_CONFIG, ...opts.config, decisionLog: { ...DEFAULT_CONFIG.decisionLog, ...opts.config?.decisionLog } };
  const engine = opts.engine ?? (await loadEngine());
  const policies = new PolicyService(engine, opts.store);
  await policies.load();
  policies.follow();
  if (opts.policiesDir) await policies.seed(opts.policiesDir);
  const decisions = new DecisionLog(opts.store, opts.clock, config.decisionLog, (p) => engine.decisionTexts(p));
  await decisions.init();
  await opts.store.failInterruptedJobs();
  const jobs = new JobRunner(opts.store, engine, opts.clock, undefined, { ...DEFAULT_JOB_TIMING, ...config.jobs });
  jobs.startClaiming();
  const auth = new Auth(opts.store);
  return {
    store: opts.store,
    clock: opts.clock,
    auth,
    oidc: config.oidc ? new OidcLogin(config.oidc, opts.store, auth.persons) : undefined,
    config,
    engine,
    policies,
    decisions,
    jobs,
    metrics: new Metrics(),
    lifecycle: { draining: false },
    logger: opts.logger,
    policiesDir: opts.policiesDir,
  };
}

/** Routes anyone may call, as `METHOD /path`. */
const PUBLIC_PATHS = new Set(Object.entries(PERMISSIONS).filter(([, who]) => who === 'public').map(([k]) => k));
/** Each route's path as a pattern, with its methods. */
const ROUTE_PATTERNS: { pattern: RegExp; method: string }[] = Object.keys(PERMISSIONS).map((k) => {
  const [method, path] = k.split(' ') as [string, string];
  return { method, pattern: new RegExp(`^${path.replace(/:[^/]+/g, '[^/]+')}$`) };
});
function methodsFor(path: string): string[] {
  const methods = ROUTE_PATTERNS.filter((r) => r.pattern.test(path)).map((r) => r.method);
  return [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)];
}

export interface AppOptions {
  /** Run around everything else, first in and last out (tests check every response with one). */
  outermost?: MiddlewareHandler[];
}

export function createApp(deps: AppDeps, opts: AppOptions = {}): App {
  const app = new Hono<AppEnv>();
  const limits = { ...DEFAULT_LIMITS, ...deps.config.limits };
  const rate = new RateLimits(limits);
  for (const m of opts.outermost ?? []) app.use('*', m);

  app.use('*', requestIds({ logger: deps.logger, trustedProxies: deps.config.trustedProxies ?? [], limits }));
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('deps', deps);
    await next();
    deps.metrics.observe(c.req.method, c.req.routePath || 'unmatched', c.res.status, (performance.now() - started) / 1000);
  });

  app.use('/api/v1/*', async (c, next) => {
    // Public routes ignore tokens: a stale token must not make the API description unreadable.
    if (PUBLIC_PATHS.has(`${c.req.method} ${c.req.path}`)) return next();
    const header = c.req.header('authorization');
    const client = c.get('client');
    if (header) {
      // Guessing tokens: each failure from an address slows its next answers, then refuses them.
      const wait = rate.refusedFor(client);
      if (wait !== undefined) {
        c.header('Retry-After', String(wait));
        throw ApiError.of(429, 'auth.too-many-failures', [{ path: 'header.authorization', message: { zh: `请 ${wait} 秒后再试`, en: `retry in ${wait} s` } }]);
      }
    }
    const actor = await deps.auth.authenticate(header);
    if (actor === null) {
      const hold = rate.failed(client);
      if (hold > 0) await new Promise((r) => setTimeout(r, hold));
      throw ApiError.of(401, 'auth.invalid-token');
    }
    if (actor) {
      const wait = rate.tokenOver(actor.tokenId);
      if (wait !== undefined) {
        c.header('Retry-After', String(wait));
        throw ApiError.of(429, 'auth.rate-limited', [{ path: 'header.authorization', message: { zh: `请 ${wait} 秒后再试`, en: `retry in ${wait} s` } }]);
      }
    }
    c.set('actor', actor);
    await next();
  });

  app.use('/api/v1/*', limitBodies(deps.config));

  metaRoutes(app);
  policyRoutes(app);
  // Before decisionRoutes: /decisions/reported is a literal path, not a decision id.
  bundleRoutes(app);
  reportRoutes(app);
  decisionRoutes(app);
  evaluateRoutes(app);
  batchRoutes(app);
  diffRoutes(app);
  simulateRoutes(app);
  draftRoutes(app);
  libraryRoutes(app);
  analyzeRoutes(app);
  personRoutes(app);
  oidcRoutes(app);

  serveUi(app, deps.config.uiDir);

  app.notFound((c) => {
    // A known path asked with another method: 405 with the methods it takes.
    const allow = methodsFor(c.req.path);
    if (allow.length && !allow.includes(c.req.method)) {
      c.header('Allow', allow.join(', '));
      return c.json(ApiError.of(405, 'http.method-not-allowed', [{ path: c.req.path, message: { zh: `可用方法:${allow.join('、')}`, en: `allowed: ${allow.join(', ')}` } }]).body(), 405);
    }
    return c.json(ApiError.of(404, 'http.not-found', [{ path: c.req.path, message: { zh: `${c.req.method} ${c.req.path}`, en: `${c.req.method} ${c.req.path}` } }]).body(), 404);
  });

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(err.body(), err.status);
    if (err instanceof HTTPException) {
      const status = err.status;
      const code = status === 413 ? 'http.payload-too-large' : status === 404 ? 'http.not-found' : 'http.invalid-body';
      return c.json(ApiError.of(400, code).body(), status);
    }
    // A bug: log it for the operator, never show a stack trace to the caller.
    console.error(`[tiaowen] ${c.req.method} ${c.req.path}:`, err);
    return c.json(ApiError.of(500, 'http.internal').body(), 500);
  });

  return app;
}

/** JSON bodies are small; uploads larger; batches are streamed and limited per line instead. */
function limitBodies(config: ServerConfig): MiddlewareHandler<AppEnv> {
  const tooLarge = (max: number) => () => {
    throw ApiError.of(413, 'http.payload-too-large', [{ path: 'body', message: { zh: `请求体不能超过 ${max} 字节`, en: `the body may not exceed ${max} bytes` } }]);
  };
  const json = bodyLimit({ maxSize: config.jsonLimit, onError: tooLarge(config.jsonLimit) });
  const upload = bodyLimit({ maxSize: config.uploadLimit, onError: tooLarge(config.uploadLimit) });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (c.req.path === '/api/v1/evaluate/batch') return next();
    if (c.req.path === '/api/v1/simulate') return upload(c, next);
    return json(c, next);
  };
}

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>tiaowen</title>
<h1>条文 tiaowen</h1>
<p>管理界面尚未构建。请运行 <code>npm run build:ui</code>(或在 admin-ui/ 中构建到 admin-ui/dist/)后重启服务。</p>
<p>The admin UI is not built. Build it into <code>admin-ui/dist/</code> (<code>npm run build:ui</code>) and restart the server.</p>
<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a></p>`;

function serveUi(app: App, uiDir: string | undefined): void {
  const dir = resolve(uiDir ?? 'admin-ui/dist');
  const indexFile = resolve(dir, 'index.html');
  const built = existsSync(indexFile);
  const statics = built ? serveStatic<AppEnv>({ root: relative(process.cwd(), dir) || '.' }) : undefined;
  const favicon = existsSync(resolve(dir, 'favicon.svg')) ? readFileSync(resolve(dir, 'favicon.svg')) : FAVICON;
  app.get('*', async (c, next) => {
    if (c.req.path.startsWith('/api/')) return next();
    // Browsers ask for /favicon.ico whatever the page says.
    if (c.req.path === '/favicon.ico') return c.body(new Uint8Array(favicon), 200, { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400' });
    if (!statics) return c.html(NOT_BUILT);
    // Files first; a path without a file extension is a client-side route of the single-page
    // app (its index.html); a missing file is 404, like any unknown path.
    const served = await statics(c, async () => undefined);
    if (served) return served;
    if (/\.[a-z0-9]+$/i.test(c.req.path)) return next();
    return c.html(readFileSync(indexFile, 'utf8'));
  });
}

/** The icon when the UI is not built: 条 on the seal red of the UI. */
const FAVICON = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#b3261e"/><text x="32" y="45" font-size="38" text-anchor="middle" fill="#fff" font-family="serif">条</text></svg>',
);
