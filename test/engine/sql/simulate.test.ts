/**
 * Simulation as SQL against the in-process simulation on the same records: the same counts per
 * outcome and rule, the same changed records with the same outcomes, coverage whose missing-fact
 * counts are the engine's; the same answers from a Parquet file, a CSV file, an XLSX 台账 (headed by
 * the facts' Chinese labels) and a PostgreSQL table; the commands that print and run it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import type { ResolvedPolicy } from '../../../engine/library/library.ts';
import { generateSql } from '../../../engine/sql/generate.ts';
import { openDuckDb } from '../../../engine/sql/duckdb.ts';
import { openPostgres } from '../../../engine/sql/postgres.ts';
import { createTablesSql, insertSql, unionFacts } from '../../../engine/sql/records.ts';
import { runSqlSimulation, type SqlSimulationResult, type ChangedRecord } from '../../../engine/sql/simulate.ts';
import { simulateInProcess, readFacts } from '../../../engine/sql/inprocess.ts';
import { attachFile } from '../../../engine/sql/dataset.ts';
import { compileSql } from '../../../engine/sql/compile.ts';
import { str } from '../../../engine/sql/dialect.ts';
import { main } from '../../../server/cli/main.ts';
import { freshDatabase, type TestDatabase } from '../../support/pg.ts';
import { AS_OF, benchPolicies } from '../../../bench/load.ts';

const N = 2000;
let dir: string;
let parquet: string;
let baseline: ResolvedPolicy;
let candidate: ResolvedPolicy;
let records: { rid: number; facts: Record<string, unknown> }[];

async function collect(r: SqlSimulationResult): Promise<ChangedRecord[]> {
  const out: ChangedRecord[] = [];
  for await (const page of r.changes(700)) out.push(...page);
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tw-sql-'));
  ({ baseline, candidate } = benchPolicies());
  parquet = path.join(dir, 'books.parquet');
  const db = await openDuckDb();
  try {
    // Amounts in whole thousands and overdue days around 90, so NPL ratios straddle 3% and 5%.
    const sql = generateSql(unionFacts([baseline.ir, candidate.ir]), {
      count: N,
      seed: 7,
      maxListLength: 6,
      shapes: {
        '贷款.金额': { missing: 0.02, sql: (u) => `CAST(1000 * (5 + floor(${u(0)} * 50)) AS DECIMAL(18,2))` },
        '贷款.逾期天数': { missing: 0.02, sql: (u) => `CAST(CASE WHEN ${u(0)} < 0.85 THEN 0 ELSE floor(${u(1)} * 200) END AS INTEGER)` },
      },
    });
    await db.run(`COPY (${sql}) TO ${str(parquet)} (FORMAT parquet)`);
    const attached = await attachFile(db, parquet, unionFacts([baseline.ir]));
    records = [];
    for await (const page of readFacts(db, unionFacts([baseline.ir]), attached.source.lists)) records.push(...page);
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('simulation as SQL', () => {
  let duck: SqlSimulationResult;
  let changes: ChangedRecord[];

  beforeAll(async () => {
    duck = await runSqlSimulation({ dataset: { kind: 'file', file: parquet }, baseline: baseline.ir, candidate: candidate.ir, asOf: AS_OF, changedOut: path.join(dir, 'changed.csv') });
    changes = await collect(duck);
  }, 120_000);
  afterAll(async () => duck?.close());

  it('counts and changes what the in-process simulation does, on the same records', async () => {
    const mem = await simulateInProcess({ file: parquet, baseline, candidate, asOf: AS_OF });
    expect(duck.records).toBe(N);
    expect(mem.records).toBe(N);
    expect(duck.baseline).toEqual(mem.baseline);
    expect(duck.candidate).toEqual(mem.candidate);
    expect(duck.changed).toBe(mem.changed.length);
    // Moving the red line from 3% to 5% changes some counties and not others.
    expect(duck.changed).toBeGreaterThan(0);
    expect(duck.changed).toBeLessThan(N);
    expect(changes.map(({ facts: _f, ...c }) => c)).toEqual(mem.changed);
    // Both engines give the same coverage: counts per rule, missing list fields, reasons.
    expect(mem.coverage).toEqual(duck.coverage);
    // Each changed record comes with its facts, as the in-process simulation read them.
    const byRid = new Map(records.map((r) => [r.rid, r.facts]));
    for (const c of changes) expect(c.facts).toEqual(byRid.get(c.rid));
  }, 120_000);

  it('stops when the caller aborts', async () => {
    const ac = new AbortController();
    const run = runSqlSimulation({
      dataset: { kind: 'file', file: parquet },
      baseline: baseline.ir,
      candidate: candidate.ir,
      asOf: AS_OF,
      signal: ac.signal,
      onProgress: (p) => p.phase === 'load' && ac.abort(),
    });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('writes the changed records with their facts', () => {
    const lines = readFileSync(path.join(dir, 'changed.csv'), 'utf8').trim().split('\n');
    expect(lines.length).toBe(duck.changed + 1);
    expect(lines[0]).toMatch(/^rid,baseline_status,baseline_fired,.*candidate_kinds,.*贷款/);
  });

  it('reports coverage as the engine sees it: fired, not fired, undetermined and the facts missing', () => {
    const cov = duck.coverage.baseline;
    // The compiled evaluator gives the reference's decisions (test/engine/compiled) and is fast enough for all the records.
    const compiled = compilePolicy(baseline);
    const want = new Map(baseline.ir.rules.map((r) => [r.id, { fired: 0, notFired: 0, undetermined: 0, suppressed: 0, missing: new Map<string, number>() }]));
    for (const rec of records) {
      const d = compiled.decide(rec.facts, { asOf: AS_OF });
      for (const o of d.outcomes) want.get(o.ruleId)!.fired++;
      for (const id of d.notFired) want.get(id)!.notFired++;
      for (const s of d.suppressed) want.get(s.ruleId)!.suppressed++;
      for (const u of d.undetermined) {
        const w = want.get(u.ruleId)!;
        w.undetermined++;
        for (const f of new Set(u.missingFacts.map((p) => p.replace(/\[\d+\]/g, '[]')))) w.missing.set(f, (w.missing.get(f) ?? 0) + 1);
      }
    }
    expect(cov.rules.map((r) => r.rule)).toEqual(baseline.ir.rules.map((r) => r.id));
    for (const r of cov.rules) {
      const w = want.get(r.rule)!;
      expect({ rule: r.rule, fired: r.fired, notFired: r.notFired, undetermined: r.undetermined, suppressed: r.suppressed }).toEqual({ rule: r.rule, fired: w.fired, notFired: w.notFired, undetermined: w.undetermined, suppressed: w.suppressed });
      expect({ rule: r.rule, missing: Object.fromEntries(r.missing.map((m) => [m.fact, m.count])) }).toEqual({ rule: r.rule, missing: Object.fromEntries(w.missing) });
    }
    expect(cov.neverFired).toEqual(cov.rules.filter((r) => r.fired === 0).map((r) => r.rule));
    expect(cov.rules.some((r) => r.undetermined > 0 && r.missing.length > 0)).toBe(true);
  }, 120_000);

  describe('in PostgreSQL', () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await freshDatabase('sim');
    });
    afterAll(async () => db?.drop());

    it('gives the same result from a table, lists in a child table', async () => {
      const facts = unionFacts([baseline.ir, candidate.ir]);
      const pgdb = await openPostgres(db.url);
      const source = { records: 'books', lists: { 贷款: '"books__贷款"' } };
      try {
        for (const s of createTablesSql(facts, 'postgres', source)) await pgdb.run(s);
        for (const s of insertSql(facts, records, 'postgres', source)) await pgdb.run(s);
      } finally {
        await pgdb.close();
      }
      const r = await runSqlSimulation({ dataset: { kind: 'postgres', url: db.url, table: 'books' }, baseline: baseline.ir, candidate: candidate.ir, asOf: AS_OF, changedOut: path.join(dir, 'pg-changed.csv') });
      try {
        expect(r.records).toBe(N);
        expect(r.baseline).toEqual(duck.baseline);
        expect(r.candidate).toEqual(duck.candidate);
        expect(r.coverage).toEqual(duck.coverage);
        expect(await collect(r)).toEqual(changes.map(({ facts: _f, ...c }) => c));
        expect(readFileSync(path.join(dir, 'pg-changed.csv'), 'utf8').trim().split('\n').length).toBe(duck.changed + 1);
      } finally {
        await r.close();
      }
    }, 120_000);
  });
});

describe('datasets officials keep', () => {
  it('reads CSV, an XLSX 台账 headed by labels and JSONL uploads as it reads Parquet', async () => {
    const { povertyLoanIr } = await import('../../../bench/households.ts');
    const { PolicyLibrary, compileSource } = await import('../../../engine/index.ts');
    const ir = povertyLoanIr();
    const lib = new PolicyLibrary();
    lib.add(ir);
    const cap8 = compileSource(readFileSync(path.resolve(import.meta.dirname, '../../../bench/sql/poverty-loan-cap8.policy'), 'utf8'), { file: 'cap8', resolveBase: (r) => lib.get(r.policy, r.version ?? '') }).value!;
    lib.add(cap8);
    const b = lib.resolve(ir.id, { asOf: '2019-12-31' }).value!.ir;
    const c = lib.resolve(cap8.id, { asOf: '2019-12-31' }).value!.ir;
    const { householdsSql } = await import('../../../bench/households.ts');
    const pq = path.join(dir, 'hh.parquet');
    const csv = path.join(dir, 'hh.csv');
    const xlsx = path.join(dir, 'hh.xlsx');
    const jsonl = path.join(dir, 'hh.jsonl');
    const db = await openDuckDb();
    try {
      await db.run(`COPY (${householdsSql(400, 3, ir)}) TO ${str(pq)} (FORMAT parquet)`);
      await db.run(`COPY (SELECT * FROM read_parquet(${str(pq)})) TO ${str(csv)} (FORMAT csv, HEADER true)`);
      // The server's uploads: one facts object per line, the line number identifying the record.
      await db.run(`COPY (SELECT * EXCLUDE (rid) FROM read_parquet(${str(pq)}) ORDER BY rid) TO ${str(jsonl)} (FORMAT json)`);
      const rows = await db.all(`SELECT * FROM read_parquet(${str(pq)}) ORDER BY rid`);
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('台账');
      const labels = new Map(ir.facts.map((f) => [f.name, f.label]));
      const cols = Object.keys(rows[0]!);
      ws.addRow(cols.map((c) => labels.get(c) ?? c));
      for (const r of rows) ws.addRow(cols.map((k) => (r[k] === null ? null : typeof r[k] === 'boolean' ? String(r[k]) : r[k])));
      await wb.xlsx.writeFile(xlsx);
    } finally {
      db.close();
    }
    const run = async (file: string) => {
      const r = await runSqlSimulation({ dataset: { kind: 'file', file }, baseline: b, candidate: c, asOf: '2019-12-31' });
      const changed = await collect(r);
      await r.close();
      return { records: r.records, baseline: r.baseline, candidate: r.candidate, coverage: r.coverage, absent: r.absent, changed };
    };
    const fromParquet = await run(pq);
    expect(fromParquet.records).toBe(400);
    expect(fromParquet.absent).toEqual([]);
    expect(fromParquet.changed.length).toBeGreaterThan(0);
    expect(await run(csv)).toEqual(fromParquet);
    expect(await run(xlsx)).toEqual(fromParquet);
    expect(await run(jsonl)).toEqual(fromParquet);
  }, 120_000);
});

describe('a construct the SQL cannot express', () => {
  it('is refused with a diagnostic naming it, never a query', () => {
    const ir: PolicyIR = {
      irVersion: 1,
      id: 'test/strings',
      title: '字符串',
      jurisdiction: 'test',
      version: '1',
      effectiveFrom: '2000-01-01',
      sources: [{ key: '指南', title: '指南' }],
      facts: [{ name: '名称', label: '名称', type: { kind: 'string' } }],
      parameters: [],
      definitions: [],
      rules: [
        {
          id: 'ordered',
          title: '排序',
          cites: { source: '指南', article: '一' },
          lets: [],
          when: { type: 'compare', op: '<', left: { type: 'fact', name: '名称' }, right: { type: 'string', value: 'm' } },
          then: { kind: 'notice', message: { zh: '排序' }, consequences: [], computed: [] },
        },
      ],
    };
    const r = compileSql([{ ir, prefix: '' }], { dialect: 'duckdb', asOf: '2020-01-01' });
    expect(r.value).toBeUndefined();
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.code).toBe('sql.unsupported');
    expect(r.diagnostics[0]!.message.en).toContain('strings ordered by <');
    expect(r.diagnostics[0]!.message.en).toContain('test/strings@1 ordered');
    expect(r.diagnostics[0]!.message.zh).toContain('无法编译为 SQL');
  });
});

describe('tiaowen sql and tiaowen simulate', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('prints the SQL of a policy in either dialect, setup first', async () => {
    const pg = await run(['sql', 'gansu/poverty-loan', '--dialect', 'postgres', '--as-of', '2019-12-31']);
    expect(pg.code).toBe(0);
    expect(pg.out).toContain('CREATE OR REPLACE FUNCTION tw_round');
    expect(pg.out).toContain('"borrower_not_registered"');
    const duck = await run(['sql', 'gansu/poverty-loan', '--as-of', '2019-12-31', '--no-setup']);
    expect(duck.code).toBe(0);
    expect(duck.out).not.toContain('CREATE');
    expect(duck.out).toContain('FROM tw_records s');
    const bad = await run(['sql', 'gansu/poverty-loan', '--dialect', 'oracle']);
    expect(bad.code).toBe(2);
    for (const name of ['sql', 'simulate']) {
      const help = await run([name, '--help']);
      expect(help.code).toBe(0);
      expect(help.out).toMatch(new RegExp(`^tiaowen ${name} `));
    }
  });

  it('simulates a candidate file against a baseline version and exports coverage from either engine', async () => {
    const { householdsSql, povertyLoanIr } = await import('../../../bench/households.ts');
    const pq = path.join(dir, 'cli.parquet');
    const db = await openDuckDb();
    try {
      await db.run(`COPY (${householdsSql(2000, 11, povertyLoanIr())}) TO ${str(pq)} (FORMAT parquet)`);
    } finally {
      db.close();
    }
    const cap8 = path.resolve(import.meta.dirname, '../../../bench/sql/poverty-loan-cap8.policy');
    const args = ['simulate', 'gansu/poverty-loan', '--data', pq, '--baseline', '2015.1', '--candidate', cap8, '--as-of', '2019-12-31'];
    const r = await run([...args, '--json', '--coverage-out', path.join(dir, 'cov.csv'), '--out', path.join(dir, 'cli-changed.parquet')]);
    expect(r.code, r.err).toBe(0);
    const result = JSON.parse(r.out) as { records: number; changed: number; coverage: { baseline: { rules: { rule: string }[] } } };
    expect(result.records).toBe(2000);
    expect(result.changed).toBeGreaterThan(0);
    const node = await run([...args, '--engine', 'node', '--json', '--coverage-out', path.join(dir, 'cov-node.csv')]);
    expect(node.code, node.err).toBe(0);
    const nodeResult = JSON.parse(node.out) as { changed: number; coverage: unknown };
    expect(nodeResult.changed).toBe(result.changed);
    expect(nodeResult.coverage).toEqual(result.coverage);
    const csv = readFileSync(path.join(dir, 'cov.csv'), 'utf8').trim().split('\n');
    expect(readFileSync(path.join(dir, 'cov-node.csv'), 'utf8').trim().split('\n')).toEqual(csv);
    // Households with facts missing: some rule is undetermined and names the fact it lacked.
    expect(csv.slice(1).some((line) => /,[1-9]\d*,[^,]*,[^,]+,[1-9]\d*,(true|false)$/.test(line))).toBe(true);
    const json = await run([...args, '--engine', 'node', '--coverage-out', path.join(dir, 'cov.json')]);
    expect(json.code, json.err).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'cov.json'), 'utf8'))).toEqual(result.coverage);
    expect(json.out).toContain('规则覆盖 rule coverage');
    expect(csv[0]).toBe('policy,version,rule,title,kind,fired,not_fired,undetermined,suppressed,missing_most,missing_most_count,never_fired');
    expect(csv.length).toBe(1 + 2 * result.coverage.baseline.rules.length);
    const text = await run(args);
    expect(text.out).toContain('规则覆盖 rule coverage');
    expect(text.out).toContain('从未触发 never fired');
  }, 120_000);
});
