/**
 * `tiaowen library sync`: proposes the library's new policies and new versions to a running
 * server as drafts, through its draft API. Never publishes and never overwrites a published
 * version; content already proposed (same content hash) is skipped, so running it twice proposes
 * nothing new.
 */
import path from 'node:path';
import { EXIT, type CliCommand } from './command.ts';
import type { PolicyIR, PolicyRef } from '../../engine/ir/types.ts';
import { readLibrary, renderSyncTable, runSync, sourceHash, type LocalVersion, type RemoteState, type SyncPort } from '../library/sync.ts';

const USAGE = `Usage: tiaowen library sync [--server URL] [--token T] [--policies DIR] [--dry-run] [--json]

Compares the policy library on disk with a running server's published versions and drafts, and
proposes each new policy and each new version as a draft (POST /api/v1/drafts) for review. A
version label the server already published is never overwritten: if its content differs, the
line says so and the change needs a new version label. Content a draft already proposes (same
content hash, whatever the draft's state) is not proposed again. Prints a table of what it did.
比较磁盘上的政策库与运行中服务的已发布版本和草稿,把新政策、新版本作为草稿提出(待审核)。
不会覆盖已发布版本:同一版本号内容不同时只报告,修改须另起版本号;已有草稿提出相同内容的不再重复提出。

Options:
  --server URL    TIAOWEN_SERVER   the server                       default http://127.0.0.1:8080
  --token T       TIAOWEN_TOKEN    an author's or admin's token (creating drafts)
  --policies DIR                   the library                      default ./policies
  --dry-run                        print what would be proposed; create nothing
  --json                           print the rows as JSON

Exit codes: 0 done (including nothing to do); 1 a library file has errors or a version label is
taken with other content; 2 wrong usage; 3 the server cannot be reached or refuses the token.
Example: tiaowen library sync --server https://tiaowen.example.gov.cn --token tw_… --dry-run`;

/** A refusal by the server (or no answer): exit 3 with its words. */
class ServerError extends Error {}

export function httpPort(server: string, token: string, draftHash: (source: string, format: 'dsl' | 'yaml') => string | undefined): SyncPort {
  const base = server.replace(/\/+$/, '');
  async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(base + route, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch (e) {
      throw new ServerError(`无法连接 / cannot reach ${base}: ${(e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let msg = text.slice(0, 300);
      try {
        const j = JSON.parse(text) as { error?: { code: string; message: { zh: string; en: string } } };
        if (j.error) msg = `${j.error.code}: ${j.error.message.zh} / ${j.error.message.en}`;
      } catch {
        // not JSON: the text as it came
      }
      throw new ServerError(`${method} ${route} → ${res.status} ${msg}`);
    }
    return JSON.parse(text) as T;
  }
  return {
    async remote(): Promise<RemoteState> {
      const policies = await call<{ items: { id: string; versions: { version: string; hash: string }[] }[] }>('GET', '/api/v1/policies');
      const drafts = await call<{ items: { id: number; status: string; source: string; format: 'dsl' | 'yaml' }[] }>('GET', '/api/v1/drafts');
      return {
        versions: policies.items.flatMap((p) => p.versions.map((v) => ({ id: p.id, version: v.version, hash: v.hash }))),
        drafts: drafts.items.map((d) => ({ id: d.id, status: d.status, hash: draftHash(d.source, d.format), sourceHash: sourceHash(d.source) })),
      };
    },
    async propose(v: LocalVersion): Promise<number> {
      const d = await call<{ id: number }>('POST', '/api/v1/drafts', { source: v.source, format: v.format });
      return d.id;
    },
  };
}

export const command: CliCommand = {
  name: 'library',
  summary: { zh: '把政策库的新政策、新版本作为草稿提出到服务', en: 'Propose new library policies and versions to a server as drafts' },
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (!sub || sub === '--help' || sub === '-h') return (io.out(USAGE), sub ? EXIT.ok : EXIT.usage);
    if (sub !== 'sync') return (io.err(`unknown sub-command ${sub}\n\n${USAGE}`), EXIT.usage);
    const flags: Record<string, string> = {};
    let dryRun = false;
    let json = false;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '--help' || a === '-h') return (io.out(USAGE), EXIT.ok);
      if (a === '--dry-run') dryRun = true;
      else if (a === '--json') json = true;
      else {
        const m = /^--(server|token|policies)(?:=(.*))?$/.exec(a);
        const value = m ? (m[2] ?? rest[++i]) : undefined;
        if (!m || value === undefined) return (io.err(`${m ? `option --${m[1]} needs a value` : `unknown option ${a}`}\n\n${USAGE}`), EXIT.usage);
        flags[m[1]] = value;
      }
    }
    const server = flags.server ?? process.env.TIAOWEN_SERVER ?? 'http://127.0.0.1:8080';
    const token = flags.token ?? process.env.TIAOWEN_TOKEN;
    if (!token) return (io.err(`--token (or TIAOWEN_TOKEN) is required\n\n${USAGE}`), EXIT.usage);
    const dir = path.resolve(flags.policies ?? 'policies');

    const e = await import('../../engine/node.ts');
    let library;
    try {
      library = await readLibrary(e, dir);
    } catch (err) {
      io.err(`无法读取政策库 / cannot read the library ${dir}: ${(err as Error).message}`);
      return EXIT.io;
    }
    // A draft's content hash as the server computes a version's: its IR, with the base of a
    // variant taken from the library (the server resolves it from its published versions).
    const irs = new Map<string, PolicyIR>();
    for (const f of (await e.loadPolicyDir(dir)).files) if (f.ir) irs.set(`${f.ir.id}@${f.ir.version}`, f.ir);
    const resolveBase = (ref: PolicyRef) =>
      ref.version ? irs.get(`${ref.policy}@${ref.version}`) : [...irs.values()].filter((ir) => ir.id === ref.policy).sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
    const draftHash = (source: string, format: 'dsl' | 'yaml') => {
      const r = e.compileSource(source, { format, resolveBase });
      return r.value ? e.policyHash(r.value) : undefined;
    };

    let rows;
    try {
      rows = await runSync(library.local, library.problems, httpPort(server, token, draftHash), { dryRun });
    } catch (err) {
      if (!(err instanceof ServerError)) throw err;
      io.err(err.message);
      return EXIT.io;
    }
    io.out(json ? JSON.stringify(rows, null, 2) : renderSyncTable(rows, dryRun));
    return rows.some((r) => r.status === 'invalid' || r.status === 'version-taken') ? EXIT.failed : EXIT.ok;
  },
};
