/** `tiaowen serve`: starts the server and prints how to reach it. */
import { resolve } from 'node:path';
import { EXIT, type CliCommand } from './command.ts';

const USAGE = `Usage: tiaowen serve [--port 8080] [--host 127.0.0.1] [--data ./data] [--policies ./policies] [--ui ./admin-ui/dist]

Starts the tiaowen server: SQLite in the data directory, the policies/ library published on
first start, the admin UI at /, the API under /api/v1 (OpenAPI at /api/v1/openapi.json).
On first start an admin token is created and printed once: keep it.
启动条文服务:数据保存在数据目录的 SQLite 文件中;首次启动时发布 policies/ 中的政策,并生成一次性显示的管理员令牌。

Options:
  --port N        port to listen on (0: any free port)       default 8080
  --host H        address to listen on                      default 127.0.0.1
  --data DIR      data directory (SQLite file, config.json) default ./data
  --policies DIR  seed library loaded on first start        default ./policies
  --ui DIR        built admin UI                            default ./admin-ui/dist

Exit codes: 0 stopped cleanly; 2 wrong usage; 3 the data directory cannot be used.
Example: tiaowen serve --port 8080 --data ./data`;

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
    const { flags, error, help } = parseFlags(argv, ['port', 'host', 'data', 'policies', 'ui']);
    if (help) return (io.out(USAGE), EXIT.ok);
    if (error) return (io.err(`${error}\n\n${USAGE}`), EXIT.usage);
    const port = Number(flags.port ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) return (io.err(`--port must be 0–65535\n\n${USAGE}`), EXIT.usage);
    const { startServer } = await import('../main.ts');
    let running;
    try {
      running = await startServer({
        dataDir: resolve(flags.data ?? 'data'),
        port,
        host: flags.host ?? '127.0.0.1',
        policiesDir: resolve(flags.policies ?? 'policies'),
        uiDir: resolve(flags.ui ?? 'admin-ui/dist'),
        handleSignals: true,
      });
    } catch (e) {
      io.err(`无法启动 / cannot start: ${(e as Error).message}`);
      return EXIT.io;
    }
    io.out(`tiaowen 已启动 / listening on ${running.url}`);
    io.out(`  管理界面 / admin UI: ${running.url}/`);
    io.out(`  API: ${running.url}/api/v1  (OpenAPI: ${running.url}/api/v1/openapi.json)`);
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
