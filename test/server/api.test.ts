import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionId } from '../../server/decisionLog.ts';
import { expandDecision, type DecisionTexts, type LeanDecision } from '../../engine/evaluate/lean.ts';
import { expectError, makeApp, NPL_4, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ config: { decisionLog: { retentionDays: 30, maskFields: [] } } });
});
afterAll(async () => t.close());

describe('policies', () => {
  it('lists the seeded library, filtered by jurisdiction and date', async () => {
    const all = (await (await t.req('GET', '/api/v1/policies', { as: '赵六' })).json()) as { items: { id: string }[] };
    expect(all.items.map((p) => p.id)).toEqual(['demo/loan', 'demo2/loan']);
    const demo2 = (await (await t.req('GET', '/api/v1/policies?jurisdiction=demo2', { as: '赵六' })).json()) as { items: { id: string }[] };
    expect(demo2.items.map((p) => p.id)).toEqual(['demo2/loan']);
    const later = (await (await t.req('GET', '/api/v1/policies?inForceOn=2022-01-01', { as: '赵六' })).json()) as { items: { id: string }[] };
    expect(later.items.map((p) => p.id)).toEqual(['demo2/loan']);
  });

  it('shows one policy, one version with source, DSL, YAML, IR and a fact schema with Chinese titles', async () => {
    const p = (await (await t.req('GET', '/api/v1/policies/demo/loan', { as: '赵六' })).json()) as { versions: { version: string; hash: string }[] };
    expect(p.versions.map((v) => v.version)).toEqual(['2015.1']);
    const res = await t.req('GET', '/api/v1/policies/demo/loan/versions/2015.1', { as: '赵六' });
    expect(res.status).toBe(200);
    const v = (await res.json()) as { source: { format: string; text: string }; dsl: string; yaml: string; ir: { id: string }; hash: string; factSchema: { properties: Record<string, { title: string }> } };
    expect(v.source.format).toBe('dsl');
    expect(v.dsl).toBe(v.source.text);
    expect(v.yaml).toMatch(/^policy: demo\/loan/m);
    expect(v.ir.id).toBe('demo/loan');
    expect(v.hash).toBe(p.versions[0].hash);
    expect(v.factSchema.properties['贴息金额'].title).toBe('已拨付贴息');
    const schema = (await (await t.req('GET', '/api/v1/policies/demo2/loan/versions/2016.1/schema', { as: 'ingest' })).json()) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toContain('弄虚作假'); // inherited from the base
  });

  it.each([
    ['/api/v1/policies/demo/nothing', 404, 'policy.not-found'],
    ['/api/v1/policies/demo/loan/versions/9.9', 404, 'policy.version-not-found'],
    ['/api/v1/policies?inForceOn=2020-13-01', 400, 'http.invalid-query'],
    ['/api/v1/no-such-route', 404, 'http.not-found'],
  ])('GET %s → %i %s', async (path, status, code) => {
    await expectError(await t.req('GET', path, { as: 'admin' }), status, code);
  });
});

describe('evaluate and the decision log', () => {
  it('answers with a decision and an id, stores it, and replays it to the same outcome', async () => {
    const res = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { decisionId: string; decision: { outcomes: { ruleId: string }[]; trace?: unknown; policy: { hash: string } } };
    expect(body.decision.outcomes.map((o) => o.ruleId)).toEqual(['npl_red_line']);
    expect(body.decision.trace).toBeUndefined();
    const stored = (await (await t.req('GET', `/api/v1/decisions/${body.decisionId}`, { as: 'ingest' })).json()) as { caller: string; policyHash: string; facts: unknown; asOf: string };
    expect(stored).toMatchObject({ caller: 'ingest', policyHash: body.decision.policy.hash, asOf: '2018-06-30', facts: NPL_4 });
    const replay = (await (await t.req('POST', `/api/v1/decisions/${body.decisionId}/replay`, { as: '李四' })).json()) as { same: boolean; replayable: boolean };
    expect(replay).toMatchObject({ replayable: true, same: true });
  });

  it('stores decisions lean, rule texts once per policy version, and reads back the decision answered', async () => {
    const db = t.deps.store.db;
    const before = (await db.get<{ n: number }>('SELECT count(*) AS n FROM decision_texts'))!.n;
    const answered: { decisionId: string; decision: unknown }[] = [];
    for (const facts of [NPL_4, { ...NPL_4, 弄虚作假: true }, { 贷款: [{ 金额: 5 }] }]) {
      const res = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts } });
      answered.push((await res.json()) as { decisionId: string; decision: unknown });
    }
    for (const a of answered) {
      const stored = (await (await t.req('GET', `/api/v1/decisions/${a.decisionId}`, { as: 'admin' })).json()) as { decision: unknown };
      expect(JSON.stringify(stored.decision)).toBe(JSON.stringify(a.decision));
      const row = (await db.get<{ decision: string; texts: string | null }>('SELECT decision, texts FROM decisions WHERE id = ?', [a.decisionId]))!;
      expect(row.texts).toMatch(/^[0-9a-f]{64}$/);
      // The row has no rule texts: no titles, messages or citations.
      expect(row.decision).not.toContain('documentTitle');
      expect(row.decision.length).toBeLessThan(JSON.stringify(a.decision).length);
    }
    // One policy version, one texts row however many decisions (it may have been written by an earlier test).
    const after = (await db.get<{ n: number }>('SELECT count(*) AS n FROM decision_texts'))!.n;
    expect(after - before).toBeLessThanOrEqual(1);
    expect(after).toBeGreaterThan(0);
  });

  it('reads a decision stored whole (rows written before the lean form)', async () => {
    const res = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
    const { decision } = (await res.json()) as { decision: unknown };
    const id = 'dec_00000000-0000-4000-8000-000000000001';
    await t.deps.store.db.run(
      'INSERT INTO decisions (id, at, caller, policy_id, version, policy_hash, as_of, facts, masked, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, new Date().toISOString(), 'ingest', 'demo/loan', '2015.1', 'h', '2018-06-30', JSON.stringify(NPL_4), '[]', JSON.stringify(decision)],
    );
    const stored = (await (await t.req('GET', `/api/v1/decisions/${id}`, { as: 'admin' })).json()) as { decision: unknown };
    expect(stored.decision).toEqual(decision);
  });

  it('gives decision ids that sort in time order (UUID version 7 layout)', () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((ms) => decisionId(ms));
    for (const id of ids) expect(id).toMatch(/^dec_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(decisionId(1_700_000_000_000)).not.toBe(ids[0]);
  });

  it('adds the trace with explain=true', async () => {
    const res = await t.req('POST', '/api/v1/evaluate?explain=true', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
    const body = (await res.json()) as { decision: { trace?: unknown[] } };
    expect(body.decision.trace?.length).toBeGreaterThan(0);
  });

  it('answers several variants side by side', async () => {
    const res = await t.req('POST', '/api/v1/evaluate/compare', {
      as: 'admin',
      json: { policies: [{ policy: 'demo/loan' }, { policy: 'demo2/loan' }, { policy: 'nowhere/x' }], asOf: '2018-06-30', facts: NPL_4 },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: { policy: string; decision?: { outcomes: { ruleId: string }[] }; error?: { code: string } }[] };
    expect(body.results[0].decision!.outcomes.map((o) => o.ruleId)).toEqual(['npl_red_line']);
    expect(body.results[1].decision!.outcomes).toEqual([]);
    expect(body.results[2].error!.code).toBe('policy.not-found');
  });

  it.each([
    ['unknown policy', { policy: 'nowhere/x', facts: {} }, 404, 'policy.not-found'],
    ['unknown version', { policy: 'demo/loan', version: '1.0', facts: {} }, 404, 'policy.version-not-found'],
    ['no version in force', { policy: 'demo/loan', asOf: '2030-01-01', facts: {} }, 422, 'policy.unresolvable'],
    ['facts of the wrong type', { policy: 'demo/loan', asOf: '2018-01-01', facts: { 弄虚作假: 'yes' } }, 422, 'facts.invalid'],
    ['facts not an object', { policy: 'demo/loan', facts: 3 }, 400, 'http.invalid-body'],
    ['missing facts', { policy: 'demo/loan' }, 400, 'http.invalid-body'],
    ['unknown field', { policy: 'demo/loan', facts: {}, extra: 1 }, 400, 'http.invalid-body'],
    ['bad date', { policy: 'demo/loan', facts: {}, asOf: '18-1-1' }, 400, 'http.invalid-body'],
    ['impossible date', { policy: 'demo/loan', facts: {}, asOf: '2018-02-30' }, 400, 'http.invalid-body'],
  ])('%s', async (_note, json, status, code) => {
    const body = await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json }), status, code);
    expect(body.error.details?.length ?? 0).toBeGreaterThan(0);
  });

  it('names the failing fact by JSON pointer', async () => {
    const body = await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-01-01', facts: { 弄虚作假: 'yes' } } }), 422, 'facts.invalid');
    expect(body.error.details![0].path).toBe('/facts/弄虚作假');
  });

  it('rejects malformed JSON, a wrong content type and an oversized body', async () => {
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', body: '{"policy":', headers: { 'content-type': 'application/json' } }), 400, 'http.malformed-json');
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', body: 'policy=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'http.unsupported-media-type');
    const big = JSON.stringify({ policy: 'demo/loan', facts: { 户主姓名: 'x'.repeat(2 * 1024 * 1024) } });
    await expectError(await t.req('POST', '/api/v1/evaluate', { as: 'ingest', body: big, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) } }), 413, 'http.payload-too-large');
  });

  it('401 without a token or with a wrong one', async () => {
    await expectError(await t.req('GET', '/api/v1/policies'), 401, 'auth.missing-token');
    await expectError(await t.req('GET', '/api/v1/policies', { as: 'tw_notarealtokennotarealtoken' }), 401, 'auth.invalid-token');
    await expectError(await t.req('GET', '/api/v1/policies', { headers: { authorization: 'Basic abc' } }), 401, 'auth.invalid-token');
  });
});

describe('batch', () => {
  it('view=lean: rule texts once per policy version, then lean answers that expand to the full ones', async () => {
    const lines = [
      JSON.stringify({ id: 'a', facts: NPL_4 }),
      JSON.stringify({ id: 'b', facts: { ...NPL_4, 弄虚作假: true } }),
      JSON.stringify({ id: 'c', policy: 'demo2/loan', facts: NPL_4 }),
      JSON.stringify({ id: 'd', facts: { 弄虚作假: 'yes' } }),
      JSON.stringify({ id: 'e', facts: { 贷款: [{ 金额: 5 }] } }),
    ];
    const ask = async (view: string) => {
      const res = await t.req('POST', `/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30&view=${view}`, { as: 'ingest', body: lines.join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
      expect(res.status).toBe(200);
      return (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    };
    const full = await ask('full');
    const lean = await ask('lean');
    const textsLines = lean.filter((l) => 'texts' in l && typeof l.texts === 'object');
    // Two policy versions decided on: two texts lines, each before its first use.
    expect(textsLines.map((l) => (l.texts as DecisionTexts).policy.id)).toEqual(['demo/loan', 'demo2/loan']);
    const texts = new Map<string, DecisionTexts>();
    const answers: Record<string, unknown>[] = [];
    for (const l of lean) {
      if (typeof l.texts === 'object') texts.set((l.texts as DecisionTexts).id, l.texts as DecisionTexts);
      else answers.push(l);
    }
    expect(answers.map((a) => a.id)).toEqual(full.map((a) => a.id));
    answers.forEach((a, i) => {
      const f = full[i]!;
      if (f.error) {
        expect(a).toEqual(f);
        return;
      }
      const l = a.lean as LeanDecision;
      expect(texts.has(l.texts), 'texts came before the answer').toBe(true);
      expect(expandDecision(l, texts.get(l.texts)!)).toEqual(f.decision);
      expect(a.decision).toBeUndefined();
      expect(a.decisionId).toMatch(/^dec_/);
    });
    // What was answered lean is what the log stored.
    const first = answers.find((a) => a.decisionId)!;
    const stored = (await (await t.req('GET', `/api/v1/decisions/${first.decisionId}`, { as: 'admin' })).json()) as { decision: unknown };
    expect(stored.decision).toEqual(expandDecision(first.lean as LeanDecision, texts.get((first.lean as LeanDecision).texts)!));
  });

  it('decides plain lines in the worker threads, the same decisions as on the main thread', async () => {
    const pool = t.deps.jobs.workers();
    const run = pool.run.bind(pool);
    const tasks: string[] = [];
    pool.run = (task) => (tasks.push(task.op), run(task));
    try {
      const facts = [NPL_4, { ...NPL_4, 弄虚作假: true }, { 贷款: [{ 金额: 5 }] }, { 贷款: [] }];
      const ask = async (lines: string[], view: string, query = 'policy=demo/loan&') => {
        const res = await t.req('POST', `/api/v1/evaluate/batch?${query}asOf=2018-06-30&view=${view}`, { as: 'ingest', body: lines.join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
        const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
        // Rule texts (view=lean) come once per response, before the first answer that needs them.
        expect(out.filter((l) => typeof l.texts === 'object').length).toBe(view === 'lean' ? 1 : 0);
        return out.filter((l) => typeof l.texts !== 'object');
      };
      // With the policy in the query, plain lines go to the workers; lines naming their own policy
      // are judged on the main thread.
      const plain = facts.map((f, i) => JSON.stringify({ id: i, facts: f }));
      const named = facts.map((f, i) => JSON.stringify({ id: i, policy: 'demo/loan', facts: f }));
      for (const view of ['full', 'lean']) {
        tasks.length = 0;
        const inWorkers = await ask(plain, view);
        expect(tasks).toEqual(['batch']);
        tasks.length = 0;
        const here = await ask(named, view, '');
        expect(tasks).toEqual([]);
        // Mixed: the worker hands the named line back, and answers stay in order.
        const mixed = await ask([plain[0]!, named[1]!, plain[2]!], view);
        expect(mixed.map((a) => a.id)).toEqual([0, 1, 2]);
        expect(JSON.stringify(mixed.map((a) => a.decision ?? a.lean))).toBe(JSON.stringify([0, 1, 2].map((i) => here[i]!.decision ?? here[i]!.lean)));
        const strip = (xs: Record<string, unknown>[]) => xs.map(({ decisionId, ...rest }) => (expect(decisionId).toMatch(/^dec_/), rest));
        expect(strip(inWorkers)).toEqual(strip(here));
      }
      // Stored the same way: read back whole.
      const [first] = await ask(plain.slice(0, 1), 'full');
      const stored = (await (await t.req('GET', `/api/v1/decisions/${first!.decisionId}`, { as: 'admin' })).json()) as { decision: unknown; facts: unknown };
      expect(stored.decision).toEqual(first!.decision);
      expect(stored.facts).toEqual(NPL_4);
      // Enough whole decisions to outgrow a worker's first output buffer, and lines enough to be
      // shared out among the workers: each decision still the same, answers in order.
      const many = Array.from({ length: 80 }, (_, i) => ({ id: i, facts: facts[i % facts.length] }));
      tasks.length = 0;
      const manyInWorkers = await ask(many.map((l) => JSON.stringify(l)), 'full');
      expect(tasks).toEqual(new Array(Math.min(pool.size, 80 / 16)).fill('batch')); // at least 16 lines a task
      const manyHere = await ask(many.map((l) => JSON.stringify({ ...l, policy: 'demo/loan' })), 'full', '');
      expect(manyInWorkers.map((a) => a.id)).toEqual(many.map((l) => l.id));
      expect(JSON.stringify(manyInWorkers.map((a) => a.decision))).toBe(JSON.stringify(manyHere.map((a) => a.decision)));
    } finally {
      pool.run = run;
    }
  });

  it('view=lean: rule texts come before the first answer needing them, whichever thread decided it', async () => {
    // Line 1 goes to a worker, line 2 names its policy and is judged on the main thread: both need
    // demo/loan's texts, and line 1 comes first.
    const lines = [JSON.stringify({ id: 1, facts: NPL_4 }), JSON.stringify({ id: 2, policy: 'demo/loan', facts: NPL_4 })];
    const res = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30&view=lean', { as: 'ingest', body: lines.join('\n') + '\n', headers: { 'content-type': 'application/x-ndjson' } });
    const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((l) => (typeof l.texts === 'object' ? 'texts' : l.id))).toEqual(['texts', 1, 2]);
  });

  it('refuses an unknown view', async () => {
    const res = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&view=short', { as: 'ingest', body: '{}\n', headers: { 'content-type': 'application/x-ndjson' } });
    await expectError(res, 400, 'http.invalid-query');
  });

  it('streams one answer line per input line, errors per line with the line number', async () => {
    const lines = [
      JSON.stringify({ id: 'a', facts: NPL_4 }),
      '{not json',
      '',
      JSON.stringify({ id: 'c', facts: { 弄虚作假: 'yes' } }),
      JSON.stringify({ id: 'd', policy: 'demo2/loan', facts: NPL_4 }),
      JSON.stringify({ id: 'e', facts: NPL_4, surprise: true }),
    ];
    const res = await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', {
      as: 'ingest',
      body: lines.join('\n') + '\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/ndjson/);
    const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { line: number; id?: string; decisionId?: string; decision?: { outcomes: { ruleId: string }[] }; error?: { code: string } });
    expect(out.map((o) => o.line)).toEqual([1, 2, 4, 5, 6]);
    expect(out[0].decision!.outcomes.map((o) => o.ruleId)).toEqual(['npl_red_line']);
    expect(out[0].decisionId).toMatch(/^dec_/);
    expect(out[1].error!.code).toBe('batch.malformed-line');
    expect(out[2]).toMatchObject({ id: 'c', error: { code: 'facts.invalid' } });
    expect(out[3].decision!.outcomes).toEqual([]);
    expect(out[4]).toMatchObject({ id: 'e', error: { code: 'http.invalid-body' } });
    const stored = await t.req('GET', `/api/v1/decisions/${out[0].decisionId}`, { as: 'admin' });
    expect(stored.status).toBe(200);
  });

  it('handles thousands of lines from a streamed body', async () => {
    const n = 3000;
    const enc = new TextEncoder();
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (i >= n) return ctrl.close();
        const chunk: string[] = [];
        for (let k = 0; k < 250 && i < n; k++, i++) chunk.push(JSON.stringify({ id: i, facts: { 弄虚作假: i % 2 === 0, 贴息金额: 10 } }));
        ctrl.enqueue(enc.encode(chunk.join('\n') + '\n'));
      },
    });
    const res = await t.app.request('/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.ingest}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    } as RequestInit);
    const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { id: number; decision: { outcomes: unknown[] } });
    expect(out).toHaveLength(n);
    expect(out.filter((o) => o.decision.outcomes.length === 1)).toHaveLength(n / 2);
    expect(out.map((o) => o.id)).toEqual([...Array(n).keys()]);
  });

  it('answers a line while the body is still open (a paused stream is not waited on)', async () => {
    const enc = new TextEncoder();
    let ctrl!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) });
    ctrl.enqueue(enc.encode(JSON.stringify({ id: 'first', facts: NPL_4 }) + '\n'));
    const res = await t.app.request('/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.tokens.ingest}`, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
    } as RequestInit);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    // The first answer arrives before the second line is even sent.
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    expect(JSON.parse(text.split('\n')[0]!)).toMatchObject({ id: 'first', decisionId: expect.stringMatching(/^dec_/) });
    ctrl.enqueue(enc.encode(JSON.stringify({ id: 'second', facts: NPL_4 }) + '\n'));
    ctrl.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
    expect(text.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['first', 'second']);
  });

  it('numbers an overlong line after the lines before it', async () => {
    const m = await makeApp({ config: { batchLineLimit: 2000 } });
    try {
      const lines = [JSON.stringify({ id: 'a', facts: NPL_4 }), JSON.stringify({ id: 'b', facts: { ...NPL_4, 户主姓名: '王'.repeat(3000) } }), JSON.stringify({ id: 'c', facts: NPL_4 })];
      // Sent in small pieces, as a network delivers it: the long line is seen while it is still open.
      const bytes = new TextEncoder().encode(lines.join('\n') + '\n');
      let at = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(ctrl) {
          if (at >= bytes.length) return ctrl.close();
          ctrl.enqueue(bytes.slice(at, (at += 1000)));
        },
      });
      const res = await m.app.request('/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', {
        method: 'POST',
        headers: { authorization: `Bearer ${m.tokens.ingest}`, 'content-type': 'application/x-ndjson' },
        body,
        duplex: 'half',
      } as RequestInit);
      const out = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as { line: number; id?: string; error?: { code: string } });
      expect(out.map((o) => [o.line, o.id ?? o.error?.code])).toEqual([
        [1, 'a'],
        [2, 'http.payload-too-large'],
        [3, 'c'],
      ]);
    } finally {
      await m.close();
    }
  });

  it('415 for a non-NDJSON batch', async () => {
    await expectError(await t.req('POST', '/api/v1/evaluate/batch?policy=demo/loan', { as: 'ingest', json: {} }), 415, 'http.unsupported-media-type');
  });
});

describe('masking and retention', () => {
  it('replaces masked fields by a salted hash and refuses to replay them', async () => {
    const m = await makeApp({ config: { decisionLog: { retentionDays: 30, maskFields: ['户主姓名', '金额'] } } });
    try {
      const res = await m.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
      const { decisionId } = (await res.json()) as { decisionId: string };
      const rec = (await (await m.req('GET', `/api/v1/decisions/${decisionId}`, { as: 'admin' })).json()) as { facts: { 户主姓名: string; 贷款: { 金额: string; 逾期天数: number }[] }; masked: string[] };
      expect(rec.facts.户主姓名).toMatch(/^masked:[0-9a-f]{24}$/);
      expect(rec.facts.贷款[0].金额).toMatch(/^masked:/);
      expect(rec.facts.贷款[0].逾期天数).toBe(0);
      expect(rec.masked).toEqual(['户主姓名', '金额']);
      expect(JSON.stringify(rec)).not.toContain('王大');
      const replay = (await (await m.req('POST', `/api/v1/decisions/${decisionId}/replay`, { as: 'admin' })).json()) as { replayable: boolean };
      expect(replay.replayable).toBe(false);
      // Batch lines too (masked in the worker threads, with the same salt).
      const batch = await m.req('POST', '/api/v1/evaluate/batch?policy=demo/loan&asOf=2018-06-30', { as: 'ingest', body: JSON.stringify({ facts: NPL_4 }) + '\n', headers: { 'content-type': 'application/x-ndjson' } });
      const line = JSON.parse((await batch.text()).trim()) as { decisionId: string; decision: unknown };
      const stored = (await (await m.req('GET', `/api/v1/decisions/${line.decisionId}`, { as: 'admin' })).json()) as { facts: { 户主姓名: string }; masked: string[]; decision: unknown };
      expect(stored.facts.户主姓名).toMatch(/^masked:/);
      expect(stored.masked).toEqual(['户主姓名', '金额']);
      expect(stored.decision).toEqual(line.decision);
    } finally {
      await m.close();
    }
  });

  it('the retention sweep deletes decisions older than the retention period', async () => {
    let now = new Date('2024-01-01T00:00:00Z');
    const m = await makeApp({ clock: { now: () => now }, config: { decisionLog: { retentionDays: 10, maskFields: [] } } });
    try {
      const res = await m.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2018-06-30', facts: NPL_4 } });
      const { decisionId } = (await res.json()) as { decisionId: string };
      now = new Date('2024-01-05T00:00:00Z');
      expect(await m.deps.decisions.sweep()).toBe(0);
      now = new Date('2024-01-20T00:00:00Z');
      expect(await m.deps.decisions.sweep()).toBe(1);
      await expectError(await m.req('GET', `/api/v1/decisions/${decisionId}`, { as: 'admin' }), 404, 'decision.not-found');
    } finally {
      await m.close();
    }
  });
});

describe('drafts, review and publish', () => {
  const newVersion = (src: string) => src.replace('version "2015.1"', 'version "2021.1"').replace('effective from 2015-06-01 until 2020-12-31', 'effective from 2021-01-01').replace('3% from 2015-06-01', '5% from 2021-01-01');

  it('walks create → edit (ETag) → submit → four eyes → approve → publish, with the audit trail', async () => {
    const created = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } });
    expect(created.status).toBe(201);
    const draft = (await created.json()) as { id: number; source: string; etag: string; status: string };
    expect(created.headers.get('etag')).toBe(draft.etag);
    expect(draft.status).toBe('editing');

    await expectError(await t.req('PUT', `/api/v1/drafts/${draft.id}`, { as: '张三', json: { source: newVersion(draft.source) } }), 428, 'http.precondition-required');
    const edit = await t.req('PUT', `/api/v1/drafts/${draft.id}`, { as: '王五', json: { source: newVersion(draft.source) }, headers: { 'if-match': draft.etag } });
    expect(edit.status).toBe(200);
    const edited = (await edit.json()) as { etag: string; revision: number; diagnostics: unknown[]; editors: string[] };
    expect(edited.revision).toBe(2);
    expect(edited.diagnostics).toEqual([]);
    expect(edited.editors).toEqual(['张三', '王五']);
    // The first ETag is stale now.
    await expectError(await t.req('PUT', `/api/v1/drafts/${draft.id}`, { as: '张三', json: { source: draft.source }, headers: { 'if-match': draft.etag } }), 412, 'http.precondition-failed');

    const valid = (await (await t.req('POST', `/api/v1/drafts/${draft.id}/validate`, { as: '李四' })).json()) as { ok: boolean; hash: string };
    expect(valid.ok).toBe(true);

    const diff = (await (await t.req('GET', `/api/v1/diff?a=demo/loan@2015.1&b=draft:${draft.id}`, { as: '赵六' })).json()) as {
      semantic: { parameters: { changed: { name: string; values: { from: string; old?: unknown; new?: unknown }[] }[] }; header: { field: string }[] };
      text: { added: number; removed: number };
    };
    expect(diff.semantic.parameters.changed[0].name).toBe('不良贷款率红线');
    expect(diff.semantic.header.map((h) => h.field)).toEqual(expect.arrayContaining(['version', 'effectiveFrom', 'effectiveUntil']));
    expect(diff.text.added).toBeGreaterThan(0);

    await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: '李四' }), 409, 'draft.invalid-state');
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/submit`, { as: '张三' })).status).toBe(200);
    await expectError(await t.req('PUT', `/api/v1/drafts/${draft.id}`, { as: '张三', json: { source: draft.source }, headers: { 'if-match': edited.etag } }), 409, 'draft.invalid-state');
    // Four eyes: the admin role does not exempt an editor of the draft.
    const adminDraft = (await (await t.req('POST', '/api/v1/drafts', { as: 'admin', json: { from: { policy: 'demo2/loan', version: '2016.1' } } })).json()) as { id: number };
    await t.req('POST', `/api/v1/drafts/${adminDraft.id}/submit`, { as: 'admin' });
    await expectError(await t.req('POST', `/api/v1/drafts/${adminDraft.id}/approve`, { as: 'admin' }), 403, 'draft.four-eyes');

    await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/publish`, { as: '张三' }), 409, 'draft.invalid-state');
    const approved = await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: '李四', json: { comment: '同意' } });
    expect(approved.status).toBe(200);
    const pub = await t.req('POST', `/api/v1/drafts/${draft.id}/publish`, { as: '张三' });
    expect(pub.status).toBe(201);
    const published = (await pub.json()) as { version: { hash: string; version: string } };
    expect(published.version).toMatchObject({ version: '2021.1', hash: valid.hash });

    const now = (await (await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo/loan', asOf: '2022-01-01', facts: NPL_4 } })).json()) as { decision: { policy: { version: string }; outcomes: unknown[] } };
    expect(now.decision.policy.version).toBe('2021.1');
    expect(now.decision.outcomes).toEqual([]);

    const audit = (await (await t.req('GET', `/api/v1/audit?target=draft:${draft.id}`, { as: '李四' })).json()) as { items: { action: string; actor: string; before?: unknown; after?: unknown }[] };
    expect(audit.items.map((a) => a.action).reverse()).toEqual(['draft.create', 'draft.edit', 'draft.submit', 'draft.approve', 'draft.publish']);
    expect(audit.items.find((a) => a.action === 'draft.approve')).toMatchObject({ actor: '李四', before: { status: 'in-review' }, after: { status: 'approved' } });
    const byActor = (await (await t.req('GET', '/api/v1/audit?actor=王五&pageSize=1', { as: 'admin' })).json()) as { total: number; items: unknown[] };
    expect(byActor.items).toHaveLength(1);
    expect(byActor.total).toBe(1);

    // Published versions are immutable: the same label again is refused.
    const again = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2021.1' } } })).json()) as { id: number; source: string; etag: string };
    await t.req('PUT', `/api/v1/drafts/${again.id}`, { as: '张三', json: { source: again.source.replace('5% from', '6% from') }, headers: { 'if-match': again.etag } });
    await t.req('POST', `/api/v1/drafts/${again.id}/submit`, { as: '张三' });
    await t.req('POST', `/api/v1/drafts/${again.id}/approve`, { as: '李四' });
    await expectError(await t.req('POST', `/api/v1/drafts/${again.id}/publish`, { as: '李四' }), 409, 'policy.version-exists');
    const still = (await (await t.req('GET', `/api/v1/drafts/${again.id}`, { as: '李四' })).json()) as { status: string };
    expect(still.status).toBe('approved');
    await expect(t.deps.store.db.run("UPDATE versions SET source = 'x'")).rejects.toThrow(/immutable/);

    // A new label in force from the same day as a published version is refused: which of the two
    // decides would otherwise be chance.
    const twin = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2021.1' } } })).json()) as { id: number; source: string; etag: string };
    const relabelled = twin.source.replace(/version "2021\.1"/, 'version "2021.2"').replace('5% from', '6% from');
    expect(relabelled).not.toBe(twin.source);
    await t.req('PUT', `/api/v1/drafts/${twin.id}`, { as: '张三', json: { source: relabelled }, headers: { 'if-match': twin.etag } });
    await t.req('POST', `/api/v1/drafts/${twin.id}/submit`, { as: '张三' });
    await t.req('POST', `/api/v1/drafts/${twin.id}/approve`, { as: '李四' });
    const refused = await expectError(await t.req('POST', `/api/v1/drafts/${twin.id}/publish`, { as: '李四' }), 409, 'policy.effective-from-taken');
    expect(refused.error.details?.[0]?.path).toBe('/effectiveFrom');
    expect((await t.req('GET', '/api/v1/policies/demo/loan/versions/2021.2', { as: '李四' })).status).toBe(404);

    // An explicit end reaching past the next version's start is refused too.
    const early = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number; source: string; etag: string };
    const overlapping = early.source.replace(/version "2015\.1"/, 'version "2014.1"').replace(/effective from 2015-06-01 until 2020-12-31/, 'effective from 2014-01-01 until 2016-01-01');
    expect(overlapping).toContain('until 2016-01-01');
    await t.req('PUT', `/api/v1/drafts/${early.id}`, { as: '张三', json: { source: overlapping }, headers: { 'if-match': early.etag } });
    await t.req('POST', `/api/v1/drafts/${early.id}/submit`, { as: '张三' });
    await t.req('POST', `/api/v1/drafts/${early.id}/approve`, { as: '李四' });
    const overlap = await expectError(await t.req('POST', `/api/v1/drafts/${early.id}/publish`, { as: '李四' }), 409, 'policy.periods-overlap');
    expect(JSON.stringify(overlap.error.details)).toMatch(/2015\.1/);
  });

  it('refuses to submit a draft with errors and reports them', async () => {
    const res = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: 'policy "demo/x"\n  title "坏"\n' } });
    const d = (await res.json()) as { id: number };
    const v = (await (await t.req('POST', `/api/v1/drafts/${d.id}/validate`, { as: '张三' })).json()) as { ok: boolean; diagnostics: { code: string }[] };
    expect(v.ok).toBe(false);
    expect(v.diagnostics.length).toBeGreaterThan(0);
    await expectError(await t.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' }), 422, 'draft.has-errors');
  });

  it('rejection needs a comment and sends the draft back to editing', async () => {
    const d = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
    await t.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' });
    await expectError(await t.req('POST', `/api/v1/drafts/${d.id}/reject`, { as: '李四', json: {} }), 400, 'http.invalid-body');
    const r = (await (await t.req('POST', `/api/v1/drafts/${d.id}/reject`, { as: '李四', json: { comment: '引用条款有误' } })).json()) as { status: string; reviews: { action: string; comment?: string }[] };
    expect(r.status).toBe('rejected');
    expect(r.reviews.map((x) => x.action)).toEqual(['submit', 'reject']);
    await expectError(await t.req('GET', '/api/v1/drafts/99999', { as: '李四' }), 404, 'draft.not-found');
  });
});

describe('diff errors and tokens', () => {
  it.each([
    ['a=demo/loan@2015.1', 400, 'diff.bad-ref'],
    ['a=demo/loan@2015.1&b=nope', 400, 'diff.bad-ref'],
    ['a=demo/loan@2015.1&b=draft:424242', 404, 'draft.not-found'],
    ['a=demo/loan@2015.1&b=demo/loan@0', 404, 'policy.version-not-found'],
  ])('diff %s → %i %s', async (q, status, code) => {
    await expectError(await t.req('GET', `/api/v1/diff?${q}`, { as: 'admin' }), status, code);
  });

  it('a base and its variant diff by parameter', async () => {
    const d = (await (await t.req('GET', '/api/v1/diff?a=demo/loan@2015.1&b=demo2/loan@2016.1', { as: 'admin' })).json()) as { semantic: { same: boolean; header: { field: string }[] } };
    expect(d.semantic.same).toBe(false);
    expect(d.semantic.header.map((h) => h.field)).toContain('extends');
  });

  it('creates a token once, lists it without the secret, revokes it', async () => {
    const res = await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'viewer', name: '审计员' } });
    expect(res.status).toBe(201);
    const tok = (await res.json()) as { id: number; token: string };
    expect(tok.token).toMatch(/^tw_/);
    expect((await t.req('GET', '/api/v1/me', { as: tok.token })).status).toBe(200);
    const list = await (await t.req('GET', '/api/v1/tokens', { as: 'admin' })).text();
    expect(list).not.toContain(tok.token);
    expect((await t.req('DELETE', `/api/v1/tokens/${tok.id}`, { as: 'admin' })).status).toBe(200);
    await expectError(await t.req('GET', '/api/v1/me', { as: tok.token }), 401, 'auth.invalid-token');
    await expectError(await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'king', name: 'x' } }), 400, 'http.invalid-body');
  });
});

describe('health, metrics, UI', () => {
  it('answers /healthz, /metrics and / without a token', async () => {
    expect(((await (await t.req('GET', '/healthz')).json()) as { status: string }).status).toBe('ok');
    expect(await (await t.req('GET', '/livez')).json()).toEqual({ status: 'live' });
    const metrics = await (await t.req('GET', '/metrics')).text();
    expect(metrics).toMatch(/^tiaowen_http_requests_total\{method="GET",route="\/api\/v1\/policies",status="200"\} \d+$/m);
    expect(metrics).toMatch(/^tiaowen_published_versions \d+$/m);
    // Earlier tests in this file logged decisions: the decision log's counters moved.
    const counter = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(counter('tiaowen_decision_log_rows_total')).toBeGreaterThan(0);
    expect(counter('tiaowen_decision_log_commits_total')).toBeGreaterThan(0);
    expect(counter('tiaowen_decision_log_rows_total')).toBeGreaterThanOrEqual(counter('tiaowen_decision_log_commits_total'));
    expect(counter('tiaowen_decision_log_commit_seconds_total')).toBeGreaterThan(0);
    expect(counter('tiaowen_event_loop_busy_seconds_total')).toBeGreaterThan(0);
    const home = await t.req('GET', '/');
    expect(home.status).toBe(200);
    expect(await home.text()).toMatch(/条文|tiaowen/);
  });
});
