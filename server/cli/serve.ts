/** `tiaowen serve`: starts the server and prints how to reach it. */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, type CliCommand } from './command.ts';
import { redactStoreSpec } from '../store/sql.ts';

const USAGE = `Usage: tiaowen serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--store postgres://…] [--policies ./policies] [--ui ./admin-ui/dist]

Starts the tiaowen server: the store (SQLite in the data directory by default, or a PostgreSQL
shared by any number of instances), the policies/ library published on first start, the admin
UI at /, the API under /api/v1 (OpenAPI at /api/v1/openapi.json), /healthz and /readyz.
On first start an admin token is created and printed once: keep it.
启动条文服务:默认数据保存在数据目录的 SQLite 文件中(一个目录只允许一个服务进程);
多实例部署时共用一个 PostgreSQL(--store postgres://…)。首次启动时发布 policies/ 中的政策,
并生成一次性显示的管理员令牌。

Options (each also from an environment variable; a flag wins over its variable):
  --port N        PORT               port to listen on (0: any free port)     default 8080
  --host H        HOST               address to listen on                    default 127.0.0.1
  --data DIR      TIAOWEN_DATA       data directory (SQLite file, config.json) default ./data
  --store URL     TIAOWEN_STORE      postgres://user:pass@host:5432/db to share one PostgreSQL
                                     among instances; default: SQLite in the data directory
  --policies DIR  TIAOWEN_POLICIES   seed library loaded on first start      default ./policies, else the package's
  --ui DIR        TIAOWEN_UI         built admin UI                          default ./admin-ui/dist, else the package's

Sign-in with OpenID Connect for the admin UI (optional; tokens stay, for systems) / 统一身份认证登录(可选):
  --oidc-issuer URL          TIAOWEN_OIDC_ISSUER         the provider's issuer URL (discovery)
  --oidc-client-id ID        TIAOWEN_OIDC_CLIENT_ID      this server's client id at the provider
  --oidc-client-secret S     TIAOWEN_OIDC_CLIENT_SECRET  its client secret (prefer the variable)
  --oidc-redirect-uri URL    TIAOWEN_OIDC_REDIRECT_URI   default <this server>/api/v1/auth/oidc/callback
  Register that redirect URI at the provider. A provider account signs in as the existing, active
  person whose name is its preferred_username or email (linked on first login); no account is made.
  向身份认证服务登记上述回调地址;登录只对应已有且已启用的人员,不会自动创建账号。

SIGTERM (or Ctrl-C) shuts down gracefully: /readyz turns 503, in-flight requests finish,
running simulation jobs are handed back to the queue, the decision log is flushed.

Exit codes: 0 stopped cleanly; 2 wrong usage; 3 the store or the port cannot be used (the data
folder is in use by another server, the port is taken, PostgreSQL cannot be reached); 4 internal
error (a bug: please report it).
Examples:
  tiaowen serve --port 8080 --data ./data
  TIAOWEN_STORE=postgres://tiaowen:secret@db:5432/tiaowen PORT=8081 tiaowen serve`;

/** Flag → environment variable, for containers and process managers. */
export const SERVE_ENV: Record<string, string> = {
  port: 'PORT',
  host: 'HOST',
  data: 'TIAOWEN_DATA',
  store: 'TIAOWEN_STORE',
  policies: 'TIAOWEN_POLICIES',
  ui: 'TIAOWEN_UI',
  'oidc-issuer': 'TIAOWEN_OIDC_ISSUER',
  'oidc-client-id': 'TIAOWEN_OIDC_CLIENT_ID',
  'oidc-client-secret': 'TIAOWEN_OIDC_CLIENT_SECRET',
  'oidc-redirect-uri': 'TIAOWEN_OIDC_REDIRECT_URI',
};

/** The package root: two folders up from server/cli, three from dist/server/cli in a build. */
const here = fileURLToPath(new URL('.', import.meta.url));
const packageRoot = basename(resolve(here, '../..')) === 'dist' ? resolve(here, '../../..') : resolve(here, '../..');

/**
 * A folder in the working directory when it is there (a checkout, a deployment with its own
 * policies), else the one shipped in the package, so `tiaowen serve` works from an install.
 */
function defaultDir(local: string): string {
  return existsSync(local) ? resolve(local) : join(packageRoot, local);
}

export function parseFlags(argv: string[], known: string[]): { flags: Record<string, string>; error?: string; help: boolean } {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return { flags, help: true };
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(a);
    if (!m || !known.includes(m[1])) return { flags, help: false, error: `unknown option ${a}` };
    const value = m[2] ?? argv[++i];
    if (value === undefined) return { flags, help: false, error: `option --${m[1]} needs a value` };
    flags[m[1]] = value;
  }
  return { flags, help: false };
}

export const command: CliCommand = {
  name: 'serve',
  summary: { zh: '启动服务(API 与管理界面)', en: 'Start the server (API and admin UI)' },
  usage: USAGE,
  async run(argv, io) {
    const parsed = parseFlags(argv, Object.keys(SERVE_ENV));
    if (parsed.help) return (io.out(USAGE), EXIT.ok);
    if (parsed.error) return (io.err(`${parsed.error}\n\n${USAGE}`), EXIT.usage);
    const flags: Record<string, string> = {};
    for (const [flag, env] of Object.entries(SERVE_ENV)) {
      const v = parsed.flags[flag] ?? process.env[env];
      if (v !== undefined && v !== '') flags[flag] = v;
    }
    const port = Number(flags.port ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return (io.err(`--port must be 0–65535\n\n${USAGE}`), EXIT.usage);
    const oidcFlags = ['oidc-issuer', 'oidc-client-id', 'oidc-client-secret'].filter((f) => flags[f] !== undefined);
    if (oidcFlags.length > 0 && oidcFlags.length < 3) return (io.err(`--oidc-issuer, --oidc-client-id and --oidc-client-secret go together\n\n${USAGE}`), EXIT.usage);
    const oidc =
      oidcFlags.length === 3
        ? { issuer: flags['oidc-issuer']!, clientId: flags['oidc-client-id']!, clientSecret: flags['oidc-client-secret']!, ...(flags['oidc-redirect-uri'] ? { redirectUri: flags['oidc-redirect-uri'] } : {}) }
        : undefined;
    const { startServer, StartupError } = await import('../main.ts');
    let running;
    try {
      running = await startServer({
        dataDir: resolve(flags.data ?? 'data'),
        store: flags.store,
        port,
        host: flags.host ?? '127.0.0.1',
        policiesDir: flags.policies ? resolve(flags.policies) : defaultDir('policies'),
        uiDir: flags.ui ? resolve(flags.ui) : defaultDir('admin-ui/dist'),
        handleSignals: true,
        logger: await accessLog(),
        ...(oidc ? { config: { oidc } } : {}),
      });
    } catch (e) {
      if (e instanceof StartupError) io.err(`无法启动:${e.zh}\ncannot start: ${e.en}`);
      else io.err(`无法启动 / cannot start: ${(e as Error).message}`);
      return EXIT.io;
    }
    io.out(`tiaowen 已启动 / listening on ${running.url}`);
    io.out(`  存储 / store: ${running.deps.store.dialect === 'postgres' ? `PostgreSQL ${redactStoreSpec(flags.store!)}` : `SQLite ${resolve(flags.data ?? 'data')}`}`);
    io.out(`  管理界面 / admin UI: ${running.url}/`);
    io.out(`  API: ${running.url}/api/v1  (OpenAPI: ${running.url}/api/v1/openapi.json)`);
    if (oidc) io.out(`  统一身份认证 / OpenID Connect: ${oidc.issuer}`);
    if (running.adminToken) {
      io.out('');
      io.out('首次启动,已生成管理员令牌(只显示这一次,请妥善保存):');
      io.out('First start: an admin token was created (shown only this once; keep it safe):');
      io.out(`  ${running.adminToken}`);
      io.out('登录:在管理界面粘贴此令牌;或调用 API 时带上请求头 / Log in: paste it into the admin UI, or send the header');
      io.out(`  Authorization: Bearer ${running.adminToken}`);
      io.out(`  e.g. curl -H "Authorization: Bearer ${running.adminToken}" ${running.url}/api/v1/policies`);
      io.out('更多令牌 / more tokens: tiaowen token create --role author --name 张三');
    } else {
      io.out('登录:使用已有令牌;新建令牌 / Log in with an existing token; new ones: tiaowen token create --role R --name N');
    }
    return EXIT.ok;
  },
};

/**
 * The access log: one JSON line per request on standard output (pino, written asynchronously),
 * unless TIAOWEN_LOG=off; TIAOWEN_LOG=stderr sends it to standard error.
 */
async function accessLog() {
  const where = process.env.TIAOWEN_LOG ?? 'stdout';
  if (where === 'off') return undefined;
  const { default: pino } = await import('pino');
  return pino({ base: { service: 'tiaowen' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: where === 'stderr' ? 2 : 1, sync: false }));
}
