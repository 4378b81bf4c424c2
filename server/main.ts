/**
 * Starts the server on a port: opens (or creates) the SQLite file in the data directory, loads
 * the seed library on first start, creates the first admin token when there is none, and
 * listens. `close()` stops accepting, lets in-flight requests finish, flushes the decision log
 * and closes SQLite; `handleSignals` wires it to SIGTERM/SIGINT.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, prepareDeps } from './app.ts';
import type { AppDeps, ServerConfig } from './context.ts';
import type { EnginePort } from './engine.ts';
import { DB_FILE, Store, systemClock, type Clock } from './store/store.ts';

export interface StartOptions {
  dataDir: string;
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

/** Settings from `<dataDir>/config.json`, when present (decision-log retention and masking, limits). */
export function readConfigFile(dataDir: string): Partial<ServerConfig> {
  const file = join(dataDir, 'config.json');
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Partial<ServerConfig>;
}

export async function startServer(opts: StartOptions): Promise<RunningServer> {
  mkdirSync(opts.dataDir, { recursive: true });
  const clock = opts.clock ?? systemClock;
  const store = await Store.open(join(opts.dataDir, DB_FILE), clock);
  const fileConfig = readConfigFile(opts.dataDir);
  const deps = await prepareDeps({
    store,
    clock,
    engine: opts.engine,
    policiesDir: opts.policiesDir,
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
  const app = createApp(deps);

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 8080, hostname: opts.host ?? '127.0.0.1' }, () => resolve(s));
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open; in-flight ones finish first.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
      await deps.jobs.close();
      await deps.decisions.close();
      await store.close();
    })());

  if (opts.handleSignals) {
    const onSignal = () => {
      void close().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  return { url, port: addr.port, adminToken, deps, close };
}
