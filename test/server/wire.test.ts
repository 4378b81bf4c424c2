/**
 * server/wire.ts is the one definition of the API's JSON, and the admin UI bundles what it
 * imports: it must stay types only, importing types from engine/ and dsl/ alone (never sqlite3,
 * hono or `node:` modules through server/). The check reads the files with the TypeScript parser,
 * so a multi-line import or an `import { type X }` (kept as a side-effect import under
 * verbatimModuleSyntax) is caught as well as a plain one.
 *
 * Then what the routes really send is held to the types, key by key: routes that spread a store
 * record (drafts, jobs, tokens, audit, decisions) could send a field no type declares, which
 * `c.json<T>(…)` does not catch.
 *
 * The type assertions at the end are checked by `tsc`: where the store or the job runner hands
 * the routes `unknown` (JSON read back from SQLite), or keeps its own copy of a shape, the two
 * definitions must stay the same.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type * as Jobs from '../../server/jobs.ts';
import type * as Store from '../../server/store/store.ts';
import type * as W from '../../server/wire.ts';
import type * as UI from '../../admin-ui/src/wire.ts';
import { makeApp, type TestApp } from './helpers.ts';

const file = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/**
 * What in `text` would survive type erasure: statements other than interfaces, type aliases and
 * type-only imports/exports; dynamic imports and `require`; type imports from outside `allowed`.
 */
function runtimeParts(text: string, allowed: RegExp): string[] {
  const sf = ts.createSourceFile('wire.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const say = (n: ts.Node) => found.push(n.getText(sf).replace(/\s+/g, ' ').slice(0, 80));
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) continue;
    if (ts.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as ts.StringLiteral).text;
      if (!st.importClause?.isTypeOnly || !allowed.test(spec)) say(st);
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && (st.moduleSpecifier as ts.StringLiteral).text;
      if (!st.isTypeOnly || (spec !== undefined && !allowed.test(spec))) say(st);
      continue;
    }
    say(st);
  }
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) say(n);
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return found;
}

const ENGINE_OR_DSL = /^\.\.\/(engine|dsl)\//;
/**
 * What server/wire.ts may import types from: engine/, dsl/, and the TypeBox schemas its types are
 * the `Static` of (server/contract/, @sinclair/typebox). Type imports are erased, so none of them
 * reaches the bundle; a value import from any of them would, and is caught.
 */
const WIRE_SOURCES = /^(\.\.\/(engine|dsl)\/|\.\/contract\/[\w-]+\.ts$|@sinclair\/typebox$)/;

describe('the runtime-import check itself', () => {
  const cases: { note: string; text: string; flagged: number }[] = [
    { note: 'type import from engine', text: "import type { Decision } from '../engine/evaluate/types.ts';", flagged: 0 },
    { note: 'type import over lines', text: "import type {\n  A,\n  B,\n} from '../dsl/ast.ts';", flagged: 0 },
    { note: 'interfaces, aliases, type re-exports', text: "import type { A } from '../dsl/a.ts';\nexport interface X { a: A }\nexport type Y = X[];\nexport type { A };", flagged: 0 },
    { note: 'value import', text: "import { hasErrors } from '../dsl/diagnostics.ts';", flagged: 1 },
    { note: 'inline type modifier keeps the import', text: "import { type Diagnostic } from '../dsl/diagnostics.ts';", flagged: 1 },
    { note: 'side-effect import', text: "import '../engine/index.ts';", flagged: 1 },
    { note: 'default import', text: "import sqlite3 from 'sqlite3';", flagged: 1 },
    { note: 'type import from server', text: "import type { Store } from './store/store.ts';", flagged: 1 },
    { note: 'type import from a package', text: "import type { Context } from 'hono';", flagged: 1 },
    { note: 'value re-export', text: "export { ROLES } from './store/store.ts';", flagged: 1 },
    { note: 'star re-export', text: "export * from '../engine/ir/types.ts';", flagged: 1 },
    { note: 'a constant', text: 'export const ROLES = ["admin"] as const;', flagged: 1 },
    { note: 'an enum', text: 'export enum Status { Ok }', flagged: 1 },
    { note: 'dynamic import in a type position is fine, a call is not', text: "export type M = typeof import('../engine/index.ts');\nconst m = import('node:fs');", flagged: 2 },
    { note: 'require', text: "const fs = require('node:fs');", flagged: 2 },
  ];
  it.each(cases)('$note', ({ text, flagged }) => {
    expect(runtimeParts(text, ENGINE_OR_DSL)).toHaveLength(flagged);
  });
});

describe('server/wire.ts is types only', () => {
  it('imports and re-exports only types, and only from engine/, dsl/ and its schemas', () => {
    const text = readFileSync(file('server/wire.ts'), 'utf8');
    expect(text).toMatch(/^import type /m);
    expect(runtimeParts(text, WIRE_SOURCES)).toEqual([]);
    // The schemas themselves are runtime code: a value import of them is flagged.
    expect(runtimeParts("import * as C from './contract/wire.ts';", WIRE_SOURCES)).toHaveLength(1);
  });

  it('every import line of it is an `import type`', () => {
    const lines = readFileSync(file('server/wire.ts'), 'utf8').split('\n').filter((l) => /^\s*import\b/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^import type /);
  });

  it('the admin UI bundle holds no TypeBox and no server/ module', async () => {
    // The types come from TypeBox schemas; type imports are erased, so the bundle must not grow by them.
    const { build } = await import('esbuild');
    const r = await build({ entryPoints: [file('admin-ui/src/main.ts')], bundle: true, format: 'esm', write: false, metafile: true, outfile: 'main.js', logLevel: 'silent' });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.some((i) => i.includes('admin-ui/src/wire.ts'))).toBe(false);
    expect(inputs.filter((i) => /@sinclair\/typebox|(^|\/)server\//.test(i))).toEqual([]);
    expect(inputs.some((i) => i.includes('admin-ui/src/main.ts'))).toBe(true);
  }, 60_000);

  it('admin-ui/src/wire.ts takes its types from it and adds no runtime code', () => {
    const text = readFileSync(file('admin-ui/src/wire.ts'), 'utf8');
    expect(text).toContain("from '../../server/wire.ts'");
    expect(runtimeParts(text, /^\.\.\/\.\.\/server\/wire\.ts$/)).toEqual([]);
  });
});

describe('shapes kept in two places agree', () => {
  it('store, job runner and wire types are the same where the routes rely on it', () => {
    // Checked by tsc; vitest only runs them. The rest of the store's and job runner's API shapes
    // are wire.ts's own (re-exported), so they cannot differ.
    expectTypeOf<W.Role>().toEqualTypeOf<Store.Role>();
    // The job runner's result is what GET /jobs/:id sends (the store gives it back as unknown).
    expectTypeOf<Jobs.SimulationResult>().toExtend<W.SimulationResult>();
    expectTypeOf<W.SimulationResult>().toExtend<Jobs.SimulationResult>();
    // A side of a comparison is a result card of Try it.
    expectTypeOf<W.CompareItem>().toExtend<UI.CompareItem>();
    expect(true).toBe(true);
  });
});

/**
 * The top-level keys of `T`, each marked required, optional, or absent (`k?: never`, which the
 * members of a union declare to tell each other apart). `tsc` holds the marks to the type (every
 * key listed, none extra, each mark right), so the lists below cannot drift from wire.ts.
 */
type Shape<T> = { [K in keyof T]-?: [T[K]] extends [undefined] ? 'never' : {} extends Pick<T, K> ? 'opt' : 'req' };
type Mark = 'req' | 'opt' | 'never';

/** Keys of `json` that `shape` does not declare (or declares absent), and required keys it lacks. */
function offShape(json: unknown, shape: Record<string, Mark>): { extra: string[]; missing: string[] } {
  const got = Object.keys(json as object);
  return {
    extra: got.filter((k) => !(k in shape) || shape[k] === 'never'),
    missing: Object.entries(shape)
      .filter(([k, m]) => m === 'req' && !got.includes(k))
      .map(([k]) => k),
  };
}

const VERSION_SUMMARY: Shape<W.VersionSummary> = {
  version: 'req', hash: 'req', title: 'req', effectiveFrom: 'req', effectiveUntil: 'opt', extends: 'opt', format: 'req',
  publishedAt: 'req', publishedBy: 'req', author: 'req', approvedBy: 'req',
};
const POLICY_SUMMARY: Shape<W.PolicySummary> = { id: 'req', jurisdiction: 'req', topic: 'req', title: 'req', titleEn: 'opt', versions: 'req', inForce: 'opt' };
const POLICY_DETAIL: Shape<W.PolicyDetail> = { ...POLICY_SUMMARY, drafts: 'req' };
const DRAFT_REF: Shape<W.DraftRef> = { id: 'req', status: 'req', author: 'req', updatedAt: 'req', updatedBy: 'req' };
const VERSION_DETAIL: Shape<W.VersionDetail> = { ...VERSION_SUMMARY, id: 'req', source: 'req', dsl: 'opt', yaml: 'opt', ir: 'req', factSchema: 'opt' };
const DRAFT: Shape<W.Draft> = {
  id: 'req', policyId: 'opt', baseHash: 'opt', format: 'req', source: 'req', revision: 'req', status: 'req', author: 'req', editors: 'req',
  createdAt: 'req', updatedAt: 'req', updatedBy: 'req', publishedHash: 'opt', etag: 'req',
};
const DRAFT_DETAIL: Shape<W.DraftDetail> = { ...DRAFT, reviews: 'req', diagnostics: 'opt' };
const SAVED_DRAFT: Shape<W.SavedDraft> = { ...DRAFT_DETAIL, diagnostics: 'req' };
const REVIEW: Shape<W.Review> = { id: 'req', draftId: 'req', actor: 'req', action: 'req', comment: 'opt', revision: 'req', at: 'req' };
const EVALUATE: Shape<W.EvaluateResponse> = { decisionId: 'req', decision: 'req', draft: 'opt' };
const DECISION_RECORD: Shape<W.DecisionRecord> = {
  id: 'req', at: 'req', caller: 'req', policyId: 'req', version: 'req', policyHash: 'req', asOf: 'req', facts: 'req', masked: 'req', decision: 'req', draft: 'opt', subject: 'opt', reportedBy: 'opt', intact: 'opt',
  subjectKey: 'opt', personal: 'opt', personalHidden: 'opt',
};
const COMPARE_DECIDED: Shape<W.CompareDecided> = {
  policy: 'req', version: 'req', jurisdiction: 'req', decisionId: 'req', decision: 'req', draft: 'opt', ignoredFacts: 'req', status: 'never', error: 'never',
};
const COMPARE_FAILED: Shape<W.CompareFailed> = {
  policy: 'req', version: 'opt', status: 'req', error: 'req', decisionId: 'never', decision: 'never', draft: 'never', ignoredFacts: 'never', jurisdiction: 'never',
};
const JOB: Shape<W.Job> = {
  id: 'req', kind: 'req', createdBy: 'req', createdAt: 'req', status: 'req', params: 'req', total: 'req', done: 'req', result: 'opt', error: 'opt',
  finishedAt: 'opt', runner: 'opt', attempts: 'req', links: 'req',
};
const JOB_PARAMS: Shape<W.JobParams> = { baseline: 'req', candidate: 'req', asOf: 'req', file: 'req', mapping: 'opt', jurisdictions: 'opt' };
const SIMULATION: Shape<W.SimulationResult> = { engine: 'opt', coverage: 'opt', total: 'req', changed: 'req', baseline: 'req', candidate: 'req' };
const SIDE: Shape<W.SideCounts> = { policy: 'req', version: 'req', hash: 'req', byOutcome: 'req', byRule: 'req' };
const CHANGES: Shape<W.ChangesPage> = { items: 'req', total: 'req', page: 'req', pageSize: 'req', rule: 'opt', kind: 'opt' };
const JOB_CHANGE: Shape<W.JobChange> = { seq: 'req', line: 'req', record: 'req', baseline: 'req', candidate: 'req' };
const AUDIT: Shape<W.AuditPage> = { items: 'req', total: 'req', page: 'req', pageSize: 'req' };
const AUDIT_ENTRY: Shape<W.AuditEntry> = { id: 'req', at: 'req', actor: 'req', action: 'req', target: 'req', before: 'opt', after: 'opt' };
const TOKEN: Shape<W.TokenInfo> = { id: 'req', name: 'req', role: 'req', createdAt: 'req', createdBy: 'req', revokedAt: 'opt', expiresAt: 'opt' };
const CREATED_TOKEN: Shape<W.CreatedToken> = { ...TOKEN, token: 'req' };
const ME: Shape<W.Me> = { name: 'req', role: 'req', personId: 'opt', scope: 'opt', pending: 'opt', grants: 'opt', privacy: 'opt' };
const VALIDATE_OK: Shape<Extract<W.ValidateResponse, { ok: true }>> = { ok: 'req', revision: 'req', etag: 'req', diagnostics: 'req', hash: 'req', ir: 'req' };
const PUBLISH: Shape<W.PublishResponse> = { draft: 'req', version: 'req' };
const PUBLISHED: Shape<W.PublishedVersion> = { id: 'req', version: 'req', hash: 'req', publishedAt: 'req', publishedBy: 'req', author: 'req', approvedBy: 'req' };
const REPLAYED: Shape<W.Replayed> = { decisionId: 'req', replayable: 'req', same: 'req', policyHashSame: 'req', intact: 'req', original: 'req', replayed: 'req' };
const DIFF: Shape<W.DiffResponse> = { a: 'req', b: 'req', semantic: 'req', text: 'req', impact: 'opt' };
const BATCH_DECIDED: Shape<W.BatchDecided> = {
  line: 'req', id: 'opt', draft: 'opt', decisionId: 'req', decision: 'req', lean: 'never', texts: 'never', status: 'never', error: 'never',
};
const BATCH_LEAN: Shape<W.BatchDecidedLean> = {
  line: 'req', id: 'opt', draft: 'opt', decisionId: 'req', lean: 'req', decision: 'never', texts: 'never', status: 'never', error: 'never',
};
const BATCH_TEXTS: Shape<W.BatchTexts> = { texts: 'req', line: 'never', decision: 'never', lean: 'never', error: 'never' };
const BATCH_FAILED: Shape<W.BatchFailed> = {
  line: 'req', id: 'opt', status: 'req', error: 'req', decisionId: 'never', decision: 'never', lean: 'never', texts: 'never',
};
const BATCH_UNREADABLE: Shape<W.BatchUnreadable> = {
  line: 'req', error: 'req', id: 'never', status: 'never', decisionId: 'never', decision: 'never', lean: 'never', texts: 'never',
};
const ERROR: Shape<W.ErrorBody['error']> = { code: 'req', message: 'req', details: 'opt', requestId: 'opt' };

describe('what the routes send has the keys of the wire types', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => t.close());

  const get = async (as: string, path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) => {
    const res = await t.req(init.method ?? 'GET', path, { as, json: init.json, headers: init.headers });
    expect(res.status, `${path}: ${res.status}`).toBeLessThan(300);
    return { json: (await res.json()) as Record<string, unknown>, etag: res.headers.get('etag') ?? '' };
  };
  const fits = (what: string, json: unknown, shape: Record<string, Mark>) => expect(offShape(json, shape), what).toEqual({ extra: [], missing: [] });
  const NPL_4 = { 贷款: [{ 金额: 96, 逾期天数: 0 }, { 金额: 4, 逾期天数: 120 }] };

  it('policies, versions, me, tokens', async () => {
    const list = (await get('赵六', '/api/v1/policies?inForceOn=2018-06-30')).json as unknown as W.PolicyListResponse;
    expect(Object.keys(list)).toEqual(['items']);
    expect(list.items.length).toBeGreaterThan(0);
    for (const p of list.items) {
      fits(`policy ${p.id}`, p, POLICY_SUMMARY);
      for (const v of p.versions) fits(`version ${p.id}@${v.version}`, v, VERSION_SUMMARY);
    }
    const p = list.items[0];
    fits('policy detail', (await get('赵六', `/api/v1/policies/${p.id}`)).json, POLICY_DETAIL);
    fits('version detail', (await get('赵六', `/api/v1/policies/${p.id}/versions/${p.versions[0].version}`)).json, VERSION_DETAIL);
    fits('me', (await get('赵六', '/api/v1/me')).json, ME);
    const created = (await get('admin', '/api/v1/tokens', { method: 'POST', json: { role: 'viewer', name: '钱七' } })).json;
    fits('created token', created, CREATED_TOKEN);
    const tokens = (await get('admin', '/api/v1/tokens')).json as unknown as W.ItemList<W.TokenInfo>;
    for (const tk of tokens.items) fits(`token ${tk.id}`, tk, TOKEN);
    fits('revoked token', (await get('admin', `/api/v1/tokens/${created.id as number}`, { method: 'DELETE' })).json, TOKEN);
  });

  it('evaluation, comparison, the decision log, replay', async () => {
    const one = (await get('张三', '/api/v1/evaluate', { method: 'POST', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } })).json;
    fits('evaluate', one, EVALUATE);
    const cmp = (
      await get('张三', '/api/v1/evaluate/compare', {
        method: 'POST',
        json: { policies: [{ policy: 'demo/loan' }, { policy: 'demo/nothing' }], asOf: '2018-06-30', facts: { ...NPL_4, 不是事实: 1 } },
      })
    ).json as unknown as W.CompareResponse;
    expect(Object.keys(cmp).sort()).toEqual(['asOf', 'results']);
    fits('compare side decided', cmp.results[0], COMPARE_DECIDED);
    fits('compare side failed', cmp.results[1], COMPARE_FAILED);
    fits('decision record', (await get('李四', `/api/v1/decisions/${one.decisionId as string}`)).json, DECISION_RECORD);
    fits('replay', (await get('李四', `/api/v1/decisions/${one.decisionId as string}/replay`, { method: 'POST' })).json, REPLAYED);
  });

  it('a draft through review to publish, the diff, the audit trail', async () => {
    const version = (await get('赵六', '/api/v1/policies/demo/loan')).json as unknown as W.PolicyDetail;
    const from = { policy: 'demo/loan', version: version.versions.at(-1)!.version };
    const created = await get('张三', '/api/v1/drafts', { method: 'POST', json: { from } });
    fits('created draft', created.json, DRAFT_DETAIL);
    const id = created.json.id as number;
    // A new label from a new day: two versions may not take effect on the same day.
    const source = (created.json.source as string).replace(/version\s+"[^"]+"/, 'version "2099.1"').replace(/effective from \d{4}-\d{2}-\d{2}( until \d{4}-\d{2}-\d{2})?/, 'effective from 2099-01-01');
    const saved = await get('张三', `/api/v1/drafts/${id}`, { method: 'PUT', json: { source }, headers: { 'if-match': created.etag } });
    fits('saved draft', saved.json, SAVED_DRAFT);
    for (const d of ((await get('赵六', '/api/v1/drafts')).json as unknown as W.DraftListResponse).items) fits(`draft ${d.id} in the list`, d, DRAFT);
    fits('validate', (await get('张三', `/api/v1/drafts/${id}/validate`, { method: 'POST' })).json, VALIDATE_OK);
    fits('submitted', (await get('张三', `/api/v1/drafts/${id}/submit`, { method: 'POST', json: {} })).json, DRAFT_DETAIL);
    const approved = (await get('李四', `/api/v1/drafts/${id}/approve`, { method: 'POST', json: { comment: '同意' } })).json as unknown as W.DraftDetail;
    fits('approved', approved, DRAFT_DETAIL);
    for (const r of approved.reviews) fits(`review ${r.action}`, r, REVIEW);
    fits('diff', (await get('赵六', `/api/v1/diff?a=demo/loan@${from.version}&b=draft:${id}`)).json, DIFF);
    const published = (await get('李四', `/api/v1/drafts/${id}/publish`, { method: 'POST' })).json as unknown as W.PublishResponse;
    fits('publish', published, PUBLISH);
    fits('published draft', published.draft, DRAFT_DETAIL);
    fits('published version', published.version, PUBLISHED);
    fits('policy with a draft', (await get('赵六', '/api/v1/policies/demo/loan')).json, POLICY_DETAIL);
    const audit = (await get('李四', `/api/v1/audit?target=draft:${id}`)).json as unknown as W.AuditPage;
    fits('audit page', audit, AUDIT);
    expect(audit.items.length).toBeGreaterThan(0);
    for (const e of audit.items) fits(`audit ${e.action}`, e, AUDIT_ENTRY);
    const detail = (await get('赵六', '/api/v1/policies/demo/loan')).json as unknown as W.PolicyDetail;
    for (const d of detail.drafts) fits(`draft ref ${d.id}`, d, DRAFT_REF);
  });

  it('a simulation job, its result and its changed records', async () => {
    const form = new FormData();
    const rows = [0, 4, 9].map((i) => JSON.stringify({ 贷款: [{ 金额: 100 - i, 逾期天数: 0 }, { 金额: i, 逾期天数: 120 }] }));
    form.set('file', new Blob([rows.join('\n')]), 'data.jsonl');
    form.set('baseline', 'demo/loan@2015.1');
    form.set('candidate', 'demo2/loan@2016.1');
    form.set('asOf', '2018-06-30');
    const res = await t.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${t.tokens['张三']}` }, body: form });
    expect(res.status).toBe(202);
    const started = (await res.json()) as W.Job;
    fits('job started', started, JOB);
    fits('job params', started.params, JOB_PARAMS);
    await (await t.req('GET', `/api/v1/jobs/${started.id}/events`, { as: '张三' })).text();
    const done = (await get('张三', `/api/v1/jobs/${started.id}`)).json as unknown as W.Job;
    expect(done.status).toBe('done');
    fits('job done', done, JOB);
    fits('simulation result', done.result, SIMULATION);
    fits('baseline counts', done.result!.baseline, SIDE);
    const changes = (await get('张三', `/api/v1/jobs/${started.id}/changes?rule=npl_red_line`)).json as unknown as W.ChangesPage;
    fits('changes page', changes, CHANGES);
    expect(changes.items.length).toBeGreaterThan(0);
    for (const ch of changes.items) fits(`change on line ${ch.line}`, ch, JOB_CHANGE);
  });

  it('NDJSON batch answers, full and lean: decided, rule texts, failed and unreadable lines', async () => {
    const created = await get('张三', '/api/v1/drafts', { method: 'POST', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
    const draftId = created.json.id as number;
    // A retitled draft: its rule texts differ from the published version's, so lean answers send them on a line of their own.
    const retitled = (created.json.source as string).replace('title "演示贷款政策"', 'title "演示贷款政策(修订稿)"');
    expect(retitled).not.toBe(created.json.source);
    expect((await get('张三', `/api/v1/drafts/${draftId}`, { method: 'PUT', json: { source: retitled }, headers: { 'if-match': created.etag } })).json.revision).toBe(2);
    // The query's published policy sends lines 1, 4 and 8 to the worker threads; lines naming
    // their own policy or a draft, and lines that fail, are judged on the main thread. The blank
    // line 7 counts but gets no answer.
    const body = [
      JSON.stringify({ id: 'a', facts: NPL_4 }),
      JSON.stringify({ id: 'b', policy: 'demo2/loan', facts: NPL_4 }),
      JSON.stringify({ id: 'c', policy: `draft:${draftId}`, facts: NPL_4 }),
      JSON.stringify({ facts: NPL_4 }),
      JSON.stringify({ id: 'e', policy: 'nowhere/none', facts: NPL_4 }),
      '{"id": "f", "facts": ',
      '',
      JSON.stringify({ id: 'h', facts: NPL_4 }),
    ].join('\n') + '\n';
    const batch = async (app: TestApp, query: string, text: string): Promise<W.BatchAnswerLine[]> => {
      const res = await app.req('POST', `/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30${query}`, { as: '李四', body: text, headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      return (await res.text()).trimEnd().split('\n').map((l) => JSON.parse(l) as W.BatchAnswerLine);
    };
    /** Each answer's kind, line and id, and its keys held to the type of that kind. */
    const check = (view: string, out: W.BatchAnswerLine[]) =>
      out.map((a, i) => {
        const what = `${view} answer ${i + 1}`;
        if (a.texts !== undefined) {
          fits(what, a, BATCH_TEXTS);
          return ['texts'];
        }
        if (a.error !== undefined) {
          fits(`${what} error`, a.error, ERROR);
          if (a.status === undefined) {
            fits(what, a, BATCH_UNREADABLE);
            return ['unreadable', a.line, a.error.code];
          }
          fits(what, a, BATCH_FAILED);
          return ['failed', a.line, a.id, a.status];
        }
        if (a.lean !== undefined) {
          fits(what, a, BATCH_LEAN);
          return ['lean', a.line, a.id, a.draft?.id];
        }
        fits(what, a, BATCH_DECIDED);
        return ['decided', a.line, a.id, a.draft?.id];
      });
    const unreadable = ['unreadable', 6, 'batch.malformed-line'];
    const failed = ['failed', 5, 'e', 404];

    const full = await batch(t, '', body);
    expect(check('full', full)).toEqual([
      ['decided', 1, 'a', undefined],
      ['decided', 2, 'b', undefined],
      ['decided', 3, 'c', draftId],
      ['decided', 4, undefined, undefined],
      failed,
      unreadable,
      ['decided', 8, 'h', undefined],
    ]);

    const lean = await batch(t, '&view=lean', body);
    expect(check('lean', lean)).toEqual([
      ['texts'],
      ['lean', 1, 'a', undefined],
      ['texts'],
      ['lean', 2, 'b', undefined],
      ['texts'],
      ['lean', 3, 'c', draftId],
      ['lean', 4, undefined, undefined],
      failed,
      unreadable,
      ['lean', 8, 'h', undefined],
    ]);
    // Each lean answer's rule texts came on an earlier line.
    const sent = new Set<string>();
    for (const a of lean) {
      if (a.texts) sent.add(a.texts.id);
      else if (a.lean) expect(sent, `texts of line ${a.line}`).toContain(a.lean.texts);
    }
    expect(sent.size).toBe(3);

    // A line longer than the limit is answered without being read.
    const small = await makeApp({ config: { batchLineLimit: 2000 } });
    try {
      const long = JSON.stringify({ id: 'x', facts: { ...NPL_4, 户主姓名: '王'.repeat(3000) } });
      expect(check('overlong', await batch(small, '', `${JSON.stringify({ id: 'a', facts: NPL_4 })}\n${long}`))).toEqual([
        ['decided', 1, 'a', undefined],
        ['unreadable', 2, 'http.payload-too-large'],
      ]);
    } finally {
      await small.close();
    }
  });
});
