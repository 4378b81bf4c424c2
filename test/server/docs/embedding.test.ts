/**
 * docs/embedding.md's curl and Python examples run as written against a real server on a port
 * with the seed library (only the address and the token are filled in), each call answering 2xx
 * or the status its comment names; and every call they make is an operation of the OpenAPI
 * document, with request bodies that satisfy the document's schemas. So the guide cannot drift
 * from the API.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../server/main.ts';
import { STORE_KIND, testStoreSpec } from '../helpers.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const GUIDE = readFileSync(join(ROOT, 'docs/embedding.md'), 'utf8');

function section(heading: string): string {
  const start = GUIDE.indexOf(heading);
  if (start < 0) throw new Error(`no section ${heading}`);
  const end = GUIDE.indexOf('\n##', start + heading.length);
  return GUIDE.slice(start, end < 0 ? undefined : end);
}
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

const dirs: string[] = [];
let server: RunningServer;
let token: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tiaowen-embed-'));
  dirs.push(dir);
  const where = await testStoreSpec(dir);
  drop = where.drop;
  server = await startServer({ dataDir: dir, store: STORE_KIND === 'postgres' ? where.spec : undefined, port: 0, policiesDir: join(ROOT, 'policies') });
  token = (await server.deps.auth.create('system', '县级系统', 'test')).token;
});
afterAll(async () => {
  await server?.close();
  await drop?.();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function run(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  // Asynchronously: the server answering these calls runs in this process.
  return new Promise((done) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** The calls an example makes, as `METHOD /path` with the request body when it gives one inline. */
function curlCalls(sh: string): { method: string; path: string; body?: unknown }[] {
  const joined = sh.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/^curl .*$/gm)].map((m) => {
    const line = m[0];
    const method = /-X (\w+)/.exec(line)?.[1] ?? 'GET';
    const path = /"\$S(\/[^"?]*)/.exec(line)![1]!;
    const data = /-d '([^']*)'/.exec(line)?.[1];
    return { method, path, ...(data ? { body: JSON.parse(data) as unknown } : {}) };
  });
}
const pythonCalls = (py: string) => [...py.matchAll(/call\("(\w+)", "([^"]+)"/g)].map((m) => ({ method: m[1]!, path: m[2]! }));

describe('docs/embedding.md', () => {
  it('calls only operations of the OpenAPI document, with bodies its schemas accept', async () => {
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: object } } } }>>;
      components: { schemas: Record<string, object> };
    };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: doc.components } as object);
    const templates = Object.keys(doc.paths).map((p) => ({ p, re: new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`) }));
    const operation = (method: string, path: string) => {
      // A literal path wins over a template (/bundles/key before /bundles/{jurisdiction}/{topic}).
      const t = templates.find((x) => x.p === path) ?? templates.find((x) => x.re.test(path));
      return t ? doc.paths[t.p]![method.toLowerCase()] : undefined;
    };
    const calls = [...curlCalls(blocks(section('### curl'), 'sh').join('\n')), ...pythonCalls(blocks(section('### Python'), 'python').join('\n'))];
    expect(calls.length).toBeGreaterThanOrEqual(8);
    for (const c of calls) {
      const op = operation(c.method, c.path);
      expect(op, `${c.method} ${c.path}`).toBeDefined();
      if ('body' in c && c.body !== undefined) {
        const schema = op!.requestBody!.content['application/json'].schema as { $ref?: string };
        const validate = ajv.compile(schema.$ref ? { $ref: `doc${schema.$ref}` } : schema);
        expect(validate(c.body), `${c.method} ${c.path}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });

  it('runs the curl examples as written; each call answers as documented', async () => {
    const sh = blocks(section('### curl'), 'sh');
    expect(sh[0]).toMatch(/^S=http:\/\/127\.0\.0\.1:8080$/m);
    expect(sh[0]).toMatch(/^T=tw_\.\.\./m);
    const filled = [sh[0]!.replace(/^S=.*$/m, `S=${server.url}`).replace(/^T=.*$/m, `T=${token}`), ...sh.slice(1)];
    const work = mkdtempSync(join(tmpdir(), 'tiaowen-embed-run-'));
    dirs.push(work);
    const log = join(work, 'curl.log');
    // `# → NNN` on a line: that call must answer NNN; any other: 2xx.
    const expecting = filled.join('\n').replace(/^(.*?)\bcurl (.*#\s*→\s*(\d{3}).*)$/gm, 'EXPECT=$3 $1curl $2');
    const script = ['set -euo pipefail', `curl() { command curl -sS --write-out '%{stderr}__STATUS__ %{http_code} '"\${EXPECT:-2xx}"'\\n' "$@" 2>>"$CURL_LOG"; }`, expecting].join('\n');
    const r = await run('bash', ['-c', script], work, { CURL_LOG: log });
    const statuses = readFileSync(log, 'utf8').trim().split('\n');
    const context = `exit ${r.status}\nstdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}\nlog:\n${statuses.join('\n')}`;
    expect(r.status, context).toBe(0);
    expect(statuses.every((l) => l.startsWith('__STATUS__ ')), context).toBe(true);
    const wrong = statuses.map((l) => l.split(' ')).filter(([, code, want]) => (want === '2xx' ? !/^2\d\d$/.test(code!) : code !== want));
    expect(wrong, context).toEqual([]);
    expect(statuses.map((l) => l.split(' ')[1])).toContain('304');
    // The evaluation cited its article; the key is a PEM.
    expect(r.stdout).toMatch(/hold_irresponsible_accountable/);
    expect(r.stdout).toMatch(/第二十五条/);
    expect(r.stdout).toMatch(/BEGIN PUBLIC KEY/);
  });

  it('runs the Python example with the standard library', async () => {
    const [py] = blocks(section('### Python'), 'python');
    const work = mkdtempSync(join(tmpdir(), 'tiaowen-embed-py-'));
    dirs.push(work);
    writeFileSync(join(work, 'example.py'), py!);
    const r = await run('python3', ['example.py'], work, { TIAOWEN_URL: server.url, TIAOWEN_TOKEN: token, PYTHONIOENCODING: 'utf-8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^accountability hold_irresponsible_accountable 第二十五条 /m);
    expect(r.stdout).toMatch(/^versions: \[.+\] etag: "[0-9a-f]{32}"$/m);
    expect(r.stdout).toMatch(/^policy\.not-found /m);
  });
});
