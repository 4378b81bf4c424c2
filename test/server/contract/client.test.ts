/**
 * A caller system's view: a client generated from the served document by openapi-typescript,
 * driven through openapi-fetch by a small program that must compile under strict tsc, then run
 * against a real server process: evaluate, a batch as NDJSON, a diff, and a simulation followed
 * through its server-sent progress events to the end.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited, startInstance, type Instance } from '../instances/procs.ts';

const ROOT = join(import.meta.dirname, '../../..');
const run = promisify(execFile);

/** The caller's program: typed only by the generated `paths` and `components`. */
const CLIENT = String.raw`
import createClient from 'openapi-fetch';
import type { components, paths } from './api.ts';

type Schemas = components['schemas'];
const [baseUrl, token] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl, headers: { authorization: 'Bearer ' + token } });
const facts: Schemas['Facts'] = { 贷款: [{ 金额: 96, 逾期天数: 0 }, { 金额: 4, 逾期天数: 90 }] };

// evaluate
const evaluated = await client.POST('/api/v1/evaluate', { body: { policy: 'demo/loan', asOf: '2018-06-30', subject: '县-001', facts } });
if (!evaluated.data) throw new Error('evaluate: ' + JSON.stringify(evaluated.error));
// Not annotated as Schemas['Decision']: openapi-fetch's response types widen tuples to arrays
// (Conflict.rules), so the two are not assignable; the inferred type is the caller's.
const decision = evaluated.data.decision;

// batch, NDJSON both ways
const lines: Schemas['BatchLineV1'][] = [{ id: 1, facts }, { id: 2, facts: {} }];
const batch = await client.POST('/api/v1/evaluate/batch', {
  params: { query: { policy: 'demo/loan', asOf: '2018-06-30' } },
  body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  bodySerializer: (body: string) => body,
  headers: { 'content-type': 'application/x-ndjson' },
  parseAs: 'text',
});
if (batch.error !== undefined || typeof batch.data !== 'string') throw new Error('batch: ' + JSON.stringify(batch.error));
const answers = batch.data.trimEnd().split('\n').map((l) => JSON.parse(l) as Schemas['BatchAnswerLine']);
const batchSummary = answers.map((a) => ('decision' in a && a.decision ? { line: a.line, fired: a.decision.outcomes.map((o) => o.ruleId) } : { line: 'line' in a ? a.line : null, error: 'error' in a ? a.error?.code : null }));

// diff
const diff = await client.GET('/api/v1/diff', { params: { query: { a: 'demo/loan@2015.1', b: 'demo2/loan@2016.1' } } });
if (!diff.data) throw new Error('diff: ' + JSON.stringify(diff.error));

// simulate, with progress as server-sent events
const rows = [0, 4, 9].map((i) => JSON.stringify({ 贷款: [{ 金额: 100 - i, 逾期天数: 0 }, { 金额: i, 逾期天数: 120 }] })).join('\n');
const started = await client.POST('/api/v1/simulate', {
  body: { file: rows, baseline: 'demo/loan@2015.1', candidate: 'demo2/loan@2016.1', asOf: '2018-06-30' },
  bodySerializer: (b: { file: string; baseline: string; candidate: string; asOf?: string }) => {
    const form = new FormData();
    form.set('file', new Blob([b.file]), 'counties.jsonl');
    form.set('baseline', b.baseline);
    form.set('candidate', b.candidate);
    if (b.asOf) form.set('asOf', b.asOf);
    return form;
  },
});
if (!started.data) throw new Error('simulate: ' + JSON.stringify(started.error));
const job: Schemas['Job'] = started.data;
const events = await client.GET('/api/v1/jobs/{id}/events', { params: { path: { id: job.id } }, parseAs: 'stream' });
if (!events.response.body) throw new Error('events: no body');
const progress: Schemas['ProgressEvent'][] = [];
const decoder = new TextDecoder();
let buffered = '';
for await (const chunk of events.response.body as unknown as AsyncIterable<Uint8Array>) {
  buffered += decoder.decode(chunk, { stream: true });
  let end: number;
  while ((end = buffered.indexOf('\n\n')) >= 0) {
    const event = buffered.slice(0, end);
    buffered = buffered.slice(end + 2);
    const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
    if (data) progress.push(JSON.parse(data) as Schemas['ProgressEvent']);
  }
}
const done = await client.GET('/api/v1/jobs/{id}', { params: { path: { id: job.id } } });
if (!done.data) throw new Error('job: ' + JSON.stringify(done.error));

process.stdout.write(JSON.stringify({
  evaluate: { decisionId: evaluated.data.decisionId, policy: decision.policy.id, fired: decision.outcomes.map((o) => o.ruleId) },
  batch: batchSummary,
  diff: { a: diff.data.a.ref, b: diff.data.b.ref, same: diff.data.semantic.same, textLines: diff.data.text.lines.length },
  simulate: { events: progress.map((p) => p.type), last: progress.at(-1)?.status, status: done.data.status, total: done.data.result?.total, changed: done.data.result?.changed },
}));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: ['node'],
  },
  include: ['*.ts'],
};

describe('a client generated from the document', () => {
  let dir: string;
  let server: Instance;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tiaowen-client-'));
    server = await startInstance(join(dir, 'data'));
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as Parameters<typeof openapiTS>[0];
    writeFileSync(join(dir, 'api.ts'), astToString(await openapiTS(doc)));
    writeFileSync(join(dir, 'client.ts'), CLIENT);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  });
  afterAll(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('compiles under strict tsc', async () => {
    const out = await run(join(ROOT, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { cwd: dir }).catch((e: { stdout: string; stderr: string }) => e);
    expect(`${out.stdout}${out.stderr}`).toBe('');
  }, 120_000);

  it('evaluates, batches NDJSON, diffs and simulates with progress against a running server', async () => {
    const out = await run(process.execPath, ['--import', 'tsx', join(dir, 'client.ts'), server.url, server.adminToken!], { cwd: dir });
    const r = JSON.parse(out.stdout) as {
      evaluate: { decisionId: string; policy: string; fired: string[] };
      batch: { line: number; fired?: string[]; error?: string }[];
      diff: { a: string; b: string; same: boolean; textLines: number };
      simulate: { events: string[]; last: string; status: string; total: number; changed: number };
    };
    expect(r.evaluate.decisionId).toMatch(/^dec_/);
    expect(r.evaluate).toMatchObject({ policy: 'demo/loan', fired: ['npl_red_line'] });
    expect(r.batch).toEqual([
      { line: 1, fired: ['npl_red_line'] },
      { line: 2, fired: [] },
    ]);
    expect(r.diff).toMatchObject({ a: 'demo/loan@2015.1', b: 'demo2/loan@2016.1', same: false });
    expect(r.diff.textLines).toBeGreaterThan(0);
    expect(r.simulate.events.at(-1)).toBe('end');
    expect(r.simulate).toMatchObject({ last: 'done', status: 'done', total: 3 });
    expect(r.simulate.changed).toBeGreaterThan(0);
  }, 120_000);
});
