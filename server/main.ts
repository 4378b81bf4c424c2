/**
 * Starts the server on a port: opens the store (the SQLite file in the data directory, locked
 * for this process; or a PostgreSQL shared with other instances), binds the port, loads the seed
 * library on first start, then creates the first admin token when there is none — after binding,
 * so a port in use never costs the one-time token. `close()` marks the instance not ready, stops
 * accepting, lets in-flight requests finish, hands running jobs back, flushes the decision log
 * and closes the store; `handleSignals` wires it to SIGTERM/SIGINT.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, prepareDeps } from './app.ts';
import type { AppDeps, ServerConfig } from './context.ts';
import type { EnginePort } from './engine.ts';
import { DB_FILE, isPostgresUrl, redactStoreSpec, Store, systemClock, type Clock } from './store/store.ts';
import type { Logger } from 'pino';
import { ApiError } from './errors.ts';
import { ledgerAlgAvailable, LEDGER_ALGS } from './store/ledger.ts';

export interface StartOptions {
  /** Data directory: the SQLite file (unless `store` names PostgreSQL) and config.json. */
  dataDir: string;
  /** `postgres://…` to share one PostgreSQL among instances; default: SQLite in `dataDir`. */
  store?: string;
  port?: number;
  host?: string;
  /** Seed library, loaded as published versions on first start. */
  policiesDir?: string;
  uiDir?: string;
  config?: Partial<ServerConfig>;
  engine?: EnginePort;
  clock?: Clock;
  /** Close gracefully on SIGTERM and SIGINT (the CLI sets it; tests do not). */
  handleSignals?: boolean;
  /** The access log: one JSON line per request (pino). `tiaowen serve` logs to standard output. */
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The first admin token, when this start created it; shown once. */
  adminToken?: string;
  deps: AppDeps;
  close(): Promise<void>;
}

export { DB_FILE };

/** Why the server could not start, in both languages; `tiaowen serve` prints it and exits 3. */
export class StartupError extends Error {
  constructor(
    readonly code: 'store.locked' | 'port.in-use' | 'store.unreachable' | 'config.hash-unavailable',
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${zh} / ${en}`);
  }
}

/** The lock file that keeps a second server off a SQLite data folder. */
export const LOCK_FILE = 'tiaowen.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process: one SQLite file has one server. A lock left by a
 * process that no longer runs (kill -9, power loss) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new StartupError(
          'store.locked',
          `数据目录 ${dataDir} 正由另一个服务进程(pid ${pid})使用;一个 SQLite 数据目录只能有一个服务。多个实例请共用 PostgreSQL(--store postgres://…)`,
          `the data folder ${dataDir} is in use by another server (pid ${pid}); one SQLite data folder has one server. To run several instances, share a PostgreSQL (--store postgres://…)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new StartupError('store.locked', `无法锁定数据目录 ${dataDir}`, `cannot lock the data folder ${dataDir}`);
}

/** Settings from `<dataDir>/config.json`, when present (decision-log retention and masking, limits). */
export function readConfigFile(dataDir: string): Partial<ServerConfig> {
  const file = join(dataDir, 'config.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerConfig>;
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const postgres = opts.store !== undefined && isPostgresUrl(opts.store);
  const unlock = postgres ? () => undefined : lockDataDir(opts.dataDir);
  let store: Store;
  try {
    store = await Store.open(postgres ? opts.store! : join(opts.dataDir, DB_FILE), clock);
  } catch (e) {
    unlock();
    if (!postgres) throw e;
    throw new StartupError(
      'store.unreachable',
      `无法连接或迁移 PostgreSQL ${redactStoreSpec(opts.store!)}:${(e as Error).message}`,
      `cannot connect to or migrate PostgreSQL ${redactStoreSpec(opts.store!)}: ${(e as Error).message}`,
    );
  }
  // Bind before anything that cannot be undone (the first admin token): requests that arrive
  // while the library loads are answered 503.
  // The node-server bindings (the socket: the client's address) are passed on to the app.
  let ready: ((req: Request, env: unknown) => Response | Promise<Response>) | undefined;
  let server: ServerType;
  try {
    server = await listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', (req, env) =>
      ready ? ready(req, env) : Response.json({ error: { code: 'health.starting', message: { zh: '服务正在启动', en: 'The server is starting' } } }, { status: 503 }),
    );
  } catch (e) {
    await store.close();
    unlock();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const where = `${opts.host ?? '127.0.0.1'}:${opts.port ?? 8080}`;
      throw new StartupError(
        'port.in-use',
        code === 'EADDRINUSE' ? `端口 ${where} 已被占用;请用 --port 换一个端口(或 PORT 环境变量)` : `无权监听 ${where};请换一个大于 1024 的端口`,
        code === 'EADDRINUSE' ? `port ${where} is already in use; choose another with --port (or PORT)` : `not allowed to listen on ${where}; choose a port above 1024`,
      );
    }
    throw e;
  }
  let deps: AppDeps;
  let adminToken: string | undefined;
  try {
    ({ deps, adminToken } = await prepare(opts, store, clock));
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    unlock();
    throw e;
  }
  const app = createApp(deps);
  ready = app.fetch;
  const addr = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      deps.lifecycle.draining = true;
      deps.policies.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; in-flight ones finish first.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await deps.jobs.close();
      await deps.decisions.close();
      await store.close();
      unlock();
    })());

  if (opts.handleSignals) {
    const onSignal = () => {
      void close().then(() => (opts.logger ? opts.logger.flush(() => process.exit(0)) : process.exit(0)));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { url, port: addr.port, adminToken, deps, close };
}

/** Listens, or rejects with the socket's error (EADDRINUSE) instead of throwing it later. */
function listen(port: number, hostname: string, fetch: (req: Request, env: unknown) => Response | Promise<Response>): Promise<ServerType> {
  return new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch, port, hostname }, () => {
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', reject);
    // A request Node's parser refuses (a raw non-ASCII query, a broken header) never reaches the
    // app; it still gets the API's error body instead of an empty 400.
    s.on('clientError', (err: NodeJS.ErrnoException, socket: import('node:stream').Duplex) => {
      if (!socket.writable || err.code === 'ECONNRESET') return socket.destroy();
      // An unknown method (FOO /x) is 405, an overlong URL or header block 414, the rest 400.
      const [status, reason, code, extra] =
        err.code === 'HPE_INVALID_METHOD'
          ? ([405, 'Method Not Allowed', 'http.method-not-allowed', 'Allow: GET, HEAD, POST, PUT, DELETE\r\n'] as const)
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? ([414, 'URI Too Long', 'http.uri-too-long', ''] as const)
            : ([400, 'Bad Request', 'http.bad-request', ''] as const);
      const body = JSON.stringify(ApiError.of(status, code).body());
      socket.end(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    });
  });
}

/** The services, the seed library and the first admin token, on an open store. */
async function prepare(opts: StartOptions, store: Store, clock: Clock): Promise<{ deps: AppDeps; adminToken?: string }> {
  const fileConfig = readConfigFile(opts.dataDir);
  const hash: string = opts.config?.decisionLog?.hash ?? fileConfig.decisionLog?.hash ?? 'sha256';
  if (!ledgerAlgAvailable(hash)) {
    // Refused rather than falling back: a deployment that requires SM3 must not log under SHA-256 unawares.
    throw new StartupError(
      'config.hash-unavailable',
      `decisionLog.hash 设为 ${hash},但本机 Node(OpenSSL)不支持该算法;可选 ${LEDGER_ALGS.filter(ledgerAlgAvailable).join('、')}`,
      `decisionLog.hash is ${hash}, which this Node (OpenSSL) build does not provide; available: ${LEDGER_ALGS.filter(ledgerAlgAvailable).join(', ')}`,
    );
  }
  const deps = await prepareDeps({
    store,
    clock,
    engine: opts.engine,
    policiesDir: opts.policiesDir,
    logger: opts.logger,
    config: {
      ...fileConfig,
      ...opts.config,
      decisionLog: { ...{ retentionDays: 365, maskFields: [] }, ...fileConfig.decisionLog, ...opts.config?.decisionLog },
      uiDir: opts.uiDir ?? opts.config?.uiDir ?? fileConfig.uiDir,
    },
  });
  const adminToken = await deps.auth.bootstrap();
  await deps.decisions.sweep();
  deps.decisions.startSweeping();
  return { deps, adminToken };
}
