import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError, makeApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

const COUNTIES = ['甲县', '乙县', '丙县'];
/**
 * Record i (0..11): NPL of i%, county COUNTIES[i % 3] (a column that is no fact: kept for
 * grouping), fraud found when i % 4 === 0, interest subsidy 10·(i+1) 元, a remark (ignored).
 */
const data = Array.from({ length: 12 }, (_, i) => ({
  county: COUNTIES[i % 3]!,
  facts: { 贷款: [{ 金额: 100 - i, 逾期天数: 0 }, { 金额: i, 逾期天数: 120 }], 弄虚作假: i % 4 === 0, 贴息金额: 10 * (i + 1) },
}));

async function ledgerXlsx(): Promise<Blob> {
  const wb = new ExcelJS.Workbook();
  const s = wb.addWorksheet('台账');
  s.addRow(['县区', '县贷款台账', '查实弄虚作假', '已拨付贴息', '备注']);
  for (const d of data) s.addRow([d.county, JSON.stringify(d.facts.贷款), d.facts.弄虚作假 ? '是' : '否', d.facts.贴息金额, '无']);
  return new Blob([new Uint8Array(await wb.xlsx.writeBuffer())]);
}

async function simulate(candidate: string, mapping?: Record<string, string>): Promise<string> {
  const form = new FormData();
  form.set('file', await ledgerXlsx(), '台账.xlsx');
  form.set('baseline', 'demo/loan@2015.1');
  form.set('candidate', candidate);
  form.set('asOf', '2018-06-30');
  if (mapping) form.set('mapping', JSON.stringify(mapping));
  const res = await t.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${t.tokens['张三']}` }, body: form });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await (await t.req('GET', `/api/v1/jobs/${id}/events`, { as: '张三' })).text();
  const job = (await (await t.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as { status: string };
  expect(job.status).toBe('done');
  return id;
}

interface Outcome {
  status: string;
  fired: string[];
  undetermined: string[];
  kinds: string[];
}
interface Change {
  line: number;
  record: Record<string, unknown>;
  baseline: Outcome;
  candidate: Outcome;
}
interface Report {
  total: number;
  changed: number;
  change: { changed: { rule: string; title: string; article: string }[]; parameters: { name: string }[] };
  rules: { rule: string; title: string; article: string; directions: Record<string, number> }[];
  outcomes: { kind: string; baseline: number; candidate: number; gained: number; lost: number }[];
  amounts: { name: string; baselineYuan: string; candidateYuan: string; deltaYuan: string }[];
  columns: { name: string; source: string }[];
  breakdown?: { by: string; groups: { value: string | null; label: { zh: string }; records: number; changed: number; directions: Record<string, number> }[] };
  summary: { zh: string; en: string }[];
}

const MAPPING = { 县区: '@keep', 备注: '' };
let draftId: number;
let jobId: string;

/** The draft: red line 3% → 5%, and the penalty only above 50 元 of subsidy. */
async function makeDraft(): Promise<{ id: number; etag: string }> {
  const v = (await (await t.req('GET', '/api/v1/policies/demo/loan/versions/2015.1', { as: '张三' })).json()) as { source: { text: string } };
  const source = v.source.text.replace('3% from 2015-06-01', '5% from 2015-06-01').replace('when 弄虚作假\n', 'when 弄虚作假 and 贴息金额 > 50元\n');
  expect(source).toContain('贴息金额 > 50元');
  const res = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source } });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: number; etag: string };
}

describe('impact report', () => {
  beforeAll(async () => {
    draftId = (await makeDraft()).id;
    jobId = await simulate(`draft:${draftId}`, MAPPING);
  });

  it('counts verdict moves per rule, outcome and county as the changed records say, and the amounts as evaluate computes them', async () => {
    const res = await t.req('GET', `/api/v1/jobs/${jobId}/report?by=${encodeURIComponent('县区')}`, { as: '张三' });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Report;
    const changes = (await (await t.req('GET', `/api/v1/jobs/${jobId}/changes?pageSize=1000`, { as: '张三' })).json()) as { items: Change[] };

    // Independently: each changed record's moves, from its two stored outcomes.
    const st = (o: Outcome, rule: string) => (o.fired.includes(rule) ? 'fired' : o.undetermined.includes(rule) ? 'undetermined' : 'not');
    const want = new Map<string, Map<string, number>>();
    for (const ch of changes.items) {
      for (const rule of new Set([...ch.baseline.fired, ...ch.baseline.undetermined, ...ch.candidate.fired, ...ch.candidate.undetermined])) {
        const d = `${st(ch.baseline, rule)}>${st(ch.candidate, rule)}`;
        if (st(ch.baseline, rule) === st(ch.candidate, rule)) continue;
        const m = want.get(rule) ?? new Map<string, number>();
        m.set(d, (m.get(d) ?? 0) + 1);
        want.set(rule, m);
      }
    }
    expect(r.total).toBe(12);
    expect(r.changed).toBe(changes.items.length);
    // By hand: NPL 4% and 5% (records 4, 5) drop below the 5% line; the penalty no longer
    // fires for records 0 and 4 (subsidy 10 and 50 元, not above 50).
    expect(changes.items.map((c) => c.line).sort((a, b) => a - b)).toEqual([2, 6, 7]);
    for (const rule of r.rules) {
      const got = Object.fromEntries(Object.entries(rule.directions).filter(([, n]) => n > 0));
      expect(got, rule.rule).toEqual(Object.fromEntries(want.get(rule.rule) ?? []));
    }
    expect(r.rules.find((x) => x.rule === 'npl_red_line')!.directions['fired>not']).toBe(2);
    expect(r.rules.find((x) => x.rule === 'fraud_penalty')).toMatchObject({ title: '弄虚作假按贴息额10倍处罚', article: '三(六)' });

    // Outcomes: after − before = gained − lost, and the job's own counts.
    const job = (await (await t.req('GET', `/api/v1/jobs/${jobId}`, { as: '张三' })).json()) as { result: { baseline: { byOutcome: Record<string, number> }; candidate: { byOutcome: Record<string, number> } } };
    for (const o of r.outcomes) {
      expect(o.baseline).toBe(job.result.baseline.byOutcome[o.kind] ?? 0);
      expect(o.candidate).toBe(job.result.candidate.byOutcome[o.kind] ?? 0);
      expect(o.candidate - o.baseline).toBe(o.gained - o.lost);
    }
    expect(r.outcomes.find((o) => o.kind === 'accountability')).toMatchObject({ baseline: 3, candidate: 1, lost: 2, gained: 0 });

    // Amounts: the penalties evaluate computes for the changed records, under each side, in fen.
    const fen = async (policy: Record<string, string>, facts: unknown) => {
      const res = await t.req('POST', '/api/v1/evaluate', { as: '张三', json: { ...policy, facts, asOf: '2018-06-30' } });
      expect(res.status).toBe(200);
      const d = ((await res.json()) as { decision: { outcomes: { computed: Record<string, { result: { type: string; yuan?: string } }> }[] } }).decision;
      return d.outcomes.reduce((n, o) => n + Math.round(Number(o.computed.罚款?.result.yuan ?? 0) * 100), 0);
    };
    let before = 0;
    let after = 0;
    for (const ch of changes.items) {
      before += await fen({ policy: 'demo/loan', version: '2015.1' }, ch.record);
      after += await fen({ policy: `draft:${draftId}` }, ch.record);
    }
    expect(before).toBe(60000); // 100 元 + 500 元
    expect(r.amounts).toEqual([{ name: '罚款', label: { zh: '罚款金额', en: '罚款金额' }, baselineYuan: (before / 100).toFixed(2), candidateYuan: (after / 100).toFixed(2), deltaYuan: ((after - before) / 100).toFixed(2) }]);

    // Breakdown by the kept county column: records per county from the dataset, changes from the records.
    const lineCounty = new Map(data.map((d, i) => [i + 2, d.county]));
    expect(r.columns.find((c) => c.name === '县区')).toMatchObject({ source: 'column' });
    expect(r.columns.some((c) => c.name === '备注')).toBe(false);
    const groups = r.breakdown!.groups;
    expect(groups.map((g) => g.value).sort()).toEqual([...COUNTIES].sort());
    for (const g of groups) {
      expect(g.records).toBe(data.filter((d) => d.county === g.value).length);
      expect(g.changed).toBe(changes.items.filter((c) => lineCounty.get(c.line) === g.value).length);
    }
    expect(groups.find((g) => g.value === '乙县')!.directions['fired>not']).toBe(1);

    // Sentences from the same figures, in both languages.
    expect(r.summary.map((s) => s.zh).join('')).toContain('共 12 条记录,其中 3 条(25.0%)的结论发生变化');
    expect(r.summary.map((s) => s.en).join(' ')).toContain('Of 12 records, 3 (25.0%) changed verdict');
    expect(r.summary.map((s) => s.zh).join('')).toContain('「罚款金额」合计由 600.00 元变为 0.00 元');
    expect(r.change.changed.map((c) => c.rule)).toEqual(['fraud_penalty']);
    expect(r.change.parameters.map((p) => p.name)).toEqual(['不良贷款率红线']);

    // A fact groups too (records from the whole dataset, not only the changed ones).
    const byFact = (await (await t.req('GET', `/api/v1/jobs/${jobId}/report?by=${encodeURIComponent('弄虚作假')}`, { as: '张三' })).json()) as Report;
    expect(byFact.breakdown!.groups.find((g) => g.value === 'true')).toMatchObject({ records: 3, changed: 2, label: { zh: '是' } });
  });

  it('exports the report as XLSX with summary, breakdown and changed records sheets', async () => {
    const res = await t.req('GET', `/api/v1/jobs/${jobId}/report.xlsx?by=${encodeURIComponent('县区')}`, { as: '张三' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/spreadsheetml/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((s) => s.name)).toEqual(['摘要 Summary', '分组 Breakdown', '变化记录 Changed records']);
    const rows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const summary = rows('摘要 Summary').map((r) => r.join(' | ')).join('\n');
    expect(summary).toContain('共 12 条记录,其中 3 条');
    expect(summary).toContain('县级不良贷款率超过红线');
    expect(summary).not.toContain('npl_red_line');
    const breakdown = rows('分组 Breakdown');
    expect(String(breakdown[0]![0])).toBe('县区');
    expect(breakdown.slice(1).map((r) => [r[0], r[1], r[2]]).sort()).toEqual([
      ['丙县', 4, 1],
      ['乙县', 4, 1],
      ['甲县', 4, 1],
    ]);
    const changed = rows('变化记录 Changed records');
    expect(changed).toHaveLength(4);
    expect(changed.slice(1).map((r) => [r[0], r[1]])).toEqual([
      [2, '甲县'],
      [6, '乙县'],
      [7, '丙县'],
    ]);
    expect(String(changed[2]![2])).toContain('县级不良贷款率超过红线(三(六)):不再触发');
  });

  it('attaches the simulation to the draft, in the audit trail, for the approver to read', async () => {
    const res = await t.req('POST', `/api/v1/drafts/${draftId}/simulations`, { as: '张三', json: { job: jobId, by: '县区' } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ draftId, jobId, by: '县区', attachedBy: '张三', stale: false });
    await expectError(await t.req('POST', `/api/v1/drafts/${draftId}/simulations`, { as: '张三', json: { job: jobId } }), 409, 'report.already-attached');
    await t.req('POST', `/api/v1/drafts/${draftId}/submit`, { as: '张三' });

    const list = (await (await t.req('GET', `/api/v1/drafts/${draftId}/simulations`, { as: '李四' })).json()) as {
      items: { attachment: { jobId: string; stale: boolean; links: { xlsx: string } }; report: Report }[];
    };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.attachment).toMatchObject({ jobId, stale: false });
    expect(list.items[0]!.attachment.links.xlsx).toBe(`/api/v1/jobs/${jobId}/report.xlsx?by=${encodeURIComponent('县区')}`);
    expect(list.items[0]!.report.breakdown!.by).toBe('县区');

    const audit = (await (await t.req('GET', `/api/v1/audit?target=draft:${draftId}`, { as: '李四' })).json()) as { items: { action: string; actor: string; after?: { job?: string } }[] };
    expect(audit.items.find((a) => a.action === 'draft.attach-simulation')).toMatchObject({ actor: '张三', after: { job: jobId } });
    // Viewers do not see simulations.
    await expectError(await t.req('GET', `/api/v1/drafts/${draftId}/simulations`, { as: '赵六' }), 403, 'auth.forbidden');
  });

  it('says the same when the job runs as SQL in DuckDB', async () => {
    const sql = await makeApp({ config: { jobs: { sqlThreshold: 1 } } });
    try {
      const v = (await (await sql.req('GET', '/api/v1/policies/demo/loan/versions/2015.1', { as: '张三' })).json()) as { source: { text: string } };
      const source = v.source.text.replace('3% from 2015-06-01', '5% from 2015-06-01').replace('when 弄虚作假\n', 'when 弄虚作假 and 贴息金额 > 50元\n');
      const d = (await (await sql.req('POST', '/api/v1/drafts', { as: '张三', json: { source } })).json()) as { id: number };
      const form = new FormData();
      form.set('file', await ledgerXlsx(), '台账.xlsx');
      form.set('baseline', 'demo/loan@2015.1');
      form.set('candidate', `draft:${d.id}`);
      form.set('asOf', '2018-06-30');
      form.set('mapping', JSON.stringify(MAPPING));
      const res = await sql.app.request('/api/v1/simulate', { method: 'POST', headers: { authorization: `Bearer ${sql.tokens['张三']}` }, body: form });
      const { id } = (await res.json()) as { id: string };
      await (await sql.req('GET', `/api/v1/jobs/${id}/events`, { as: '张三' })).text();
      const job = (await (await sql.req('GET', `/api/v1/jobs/${id}`, { as: '张三' })).json()) as { result: { engine: string } };
      expect(job.result.engine).toBe('duckdb');
      const q = `?by=${encodeURIComponent('县区')}`;
      const viaSql = (await (await sql.req('GET', `/api/v1/jobs/${id}/report${q}`, { as: '张三' })).json()) as Report & { job: string; candidate: unknown; baseline: unknown };
      const viaPool = (await (await t.req('GET', `/api/v1/jobs/${jobId}/report${q}`, { as: '张三' })).json()) as Report & { job: string; candidate: unknown; baseline: unknown };
      const same = (r: typeof viaSql) => ({ ...r, job: undefined, summary: r.summary.slice(1), candidate: undefined, baseline: undefined });
      expect(same(viaSql)).toEqual(same(viaPool));
    } finally {
      await sql.close();
    }
  });

  it('refuses what cannot be attached or reported: 404, 409, 422', async () => {
    await expectError(await t.req('GET', '/api/v1/jobs/job_nope/report', { as: '张三' }), 404, 'job.not-found');
    await expectError(await t.req('GET', `/api/v1/jobs/${jobId}/report?by=nope`, { as: '张三' }), 422, 'report.unknown-column');
    await expectError(await t.req('GET', `/api/v1/jobs/${jobId}/report.xlsx?by=nope`, { as: '张三' }), 422, 'report.unknown-column');
    // A job that has not run (no input to run it: no instance claims it).
    await t.deps.store.createJob({ id: 'job_waiting', kind: 'simulate', createdBy: '张三', params: { baseline: 'demo/loan@2015.1', candidate: `draft:${draftId}`, asOf: '2018-06-30' }, total: 1 });
    await expectError(await t.req('GET', '/api/v1/jobs/job_waiting/report', { as: '张三' }), 409, 'job.not-finished');
    await expectError(await t.req('POST', '/api/v1/drafts/999/simulations', { as: '张三', json: { job: jobId } }), 404, 'draft.not-found');

    const other = await makeDraft();
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { job: 'job_nope' } }), 404, 'job.not-found');
    // Run with another draft as candidate.
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { job: jobId } }), 422, 'report.not-this-draft');
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { job: 'job_waiting' } }), 422, 'report.not-this-draft');
    const own = await simulate(`draft:${other.id}`, MAPPING);
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { job: own, by: 'nope' } }), 422, 'report.unknown-column');
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { jobs: own } }), 400, 'http.invalid-body');
    // The draft edited after the simulation: its report no longer says what would be approved.
    const saved = await t.req('PUT', `/api/v1/drafts/${other.id}`, {
      as: '张三',
      json: { source: ((await (await t.req('GET', `/api/v1/drafts/${other.id}`, { as: '张三' })).json()) as { source: string }).source.replace('5% from', '6% from') },
      headers: { 'if-match': other.etag },
    });
    expect(saved.status).toBe(200);
    await expectError(await t.req('POST', `/api/v1/drafts/${other.id}/simulations`, { as: '张三', json: { job: own } }), 409, 'report.stale');
  });
});
