/**
 * Decision tables and scorecards decide like the rules an author would write by hand
 * (test/fixtures/tables/<case>/rules.policy: the same titles, citations and computed values, ids
 * with `_` for `.`), on random facts (missing ones included), on every evaluator: the interpreter,
 * json-rules-engine, generated code, and the SQL stage on DuckDB, record for record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../../../engine/ir/compile.ts';
import type { PolicyIR } from '../../../engine/ir/types.ts';
import { evaluate, evaluateSync } from '../../../engine/evaluate/decide.ts';
import type { Decision } from '../../../engine/evaluate/types.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { compileSql, policyQuery } from '../../../engine/sql/compile.ts';
import { createTablesSql, insertSql, sourceNamed } from '../../../engine/sql/records.ts';
import { openDuckDb, type DuckDb } from '../../../engine/sql/duckdb.ts';
import { resolveOne } from '../evaluate/ir.ts';
import { decisionTexts, expandDecision, expandedJson, leanDecision } from '../../../engine/evaluate/lean.ts';
import { expectAgree, factsFor } from '../sql/agree.ts';

const ROOT = join(import.meta.dirname, '../../fixtures/tables');
const CASES = ['public-opinion', 'deductions', 'scorecard'];
const AS_OF = '2025-03-01';

function compile(file: string): PolicyIR {
  const r = compileSource(readFileSync(file, 'utf8'), { file });
  expect(r.diagnostics).toEqual([]);
  return r.value!;
}

/** The decision with the table's rule ids written as the hand-written ones; policy stamp and row provenance aside. */
function renamed(d: Decision): unknown {
  const { policy: _stamp, ...rest } = { ...d, outcomes: d.outcomes.map(({ from: _from, ...o }) => o) };
  return JSON.parse(JSON.stringify(rest).replace(/"((?:[^"\\.]|\\.)+)\.((?:[^"\\.]|\\.)+)(?:\.([^".\\]+))?"/g, (m, a: string, b: string, c?: string) => `"${a}_${b}${c ? `_${c}` : ''}"`));
}

let db: DuckDb;
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
});
afterAll(() => db?.close());

describe.each(CASES)('%s: the table and the hand-written rules', (name) => {
  const table = compile(join(ROOT, name, 'input.policy'));
  const hand = compile(join(ROOT, name, 'rules.policy'));
  const t = resolveOne(table, [], table.effectiveFrom);
  const h = resolveOne(hand, [], hand.effectiveFrom);

  it('have the same rules in the same order', () => {
    expect(table.rules.map((r) => r.id.replace(/\./g, '_'))).toEqual(hand.rules.map((r) => r.id));
  });

  it('decide alike on every evaluator', async () => {
    const compiled = compilePolicy(t);
    let fired = 0;
    let undetermined = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.gen().map((g) => factsFor(g, table)),
        async (facts) => {
          const want = evaluateSync(h, facts, { asOf: AS_OF });
          const got = evaluateSync(t, facts, { asOf: AS_OF });
          expect(renamed(got)).toEqual(renamed(want));
          // Every outcome of a table's rule says which row (or total) it is.
          for (const o of got.outcomes) expect(o.from?.table, o.ruleId).toBe(table.rules.find((r) => r.id === o.ruleId)!.from!.table);
          expect(await evaluate(t, facts, { asOf: AS_OF })).toStrictEqual(got);
          expect(compiled.decide(facts, { asOf: AS_OF })).toStrictEqual(got);
          fired += got.outcomes.length;
          undetermined += got.undetermined.length;
        },
      ),
      { numRuns: 150, seed: 20261206 },
    );
    // The facts reach both: rows fire, and missing facts leave rows undetermined.
    expect(fired).toBeGreaterThan(20);
    expect(undetermined).toBeGreaterThan(10);
  });

  it('compile to SQL that agrees with the engine on DuckDB', async () => {
    const records = fc.sample(fc.gen().map((g) => factsFor(g, table)), { numRuns: 60, seed: 7 }).map((facts, i) => ({ rid: i + 1, facts }));
    const source = sourceNamed(t.ir.facts, `tbl_${name.replace(/-/g, '_')}`);
    const plan = compileSql([{ ir: t.ir, prefix: 'b_' }], { dialect: 'duckdb', asOf: AS_OF, source });
    expect(plan.diagnostics).toEqual([]);
    for (const s of createTablesSql(t.ir.facts, 'duckdb', source)) await db.run(s);
    for (const s of insertSql(t.ir.facts, records, 'duckdb', source)) await db.run(s);
    const rows = await db.all(`${policyQuery(plan.value!)} ORDER BY rid`);
    expect(rows.length).toBe(records.length);
    const side = plan.value!.sides[0]!;
    for (const [i, rec] of records.entries()) {
      const row = rows[i]!;
      const byLayout: Record<string, unknown> = { [side.valid]: row.valid };
      for (const r of side.rules) {
        byLayout[r.status] = row[r.id];
        byLayout[r.mask] = row[`${r.id}.missing`];
        for (const c of r.computed) {
          byLayout[c.column] = row[`${r.id}.${c.name}`];
          byLayout[c.mask] = row[`${r.id}.${c.name}.missing`];
        }
      }
      expectAgree(evaluateSync(t, rec.facts, { asOf: AS_OF }), t.ir, side, byLayout, `${name} record ${rec.rid} ${JSON.stringify(rec.facts)}`);
    }
  });
});

describe('hit policies', () => {
  const po = resolveOne(compile(join(ROOT, 'public-opinion', 'input.policy')), [], '2024-01-01');
  const at = (facts: Record<string, unknown>) => evaluateSync(po, facts, { asOf: AS_OF });

  it('first: the first row that holds decides, later rows do not fire', () => {
    const d = at({ 转发量: 200000, 涉及人数: 100, 涉及领域: '资金' });
    expect(d.outcomes.map((o) => o.ruleId)).toEqual(['舆情分级.特别重大']);
    expect(d.outcomes[0]!.computed['舆情分级']!.result).toEqual({ type: 'string', value: '特别重大' });
    // The decision says which row hit, for the UI to highlight it; the lean form keeps it.
    expect(d.outcomes[0]!.from).toEqual({ table: '舆情分级', row: 1, hit: 'first' });
    const texts = decisionTexts(po);
    expect(expandDecision(leanDecision(d, texts)!, texts)).toStrictEqual(d);
    expect(expandedJson(leanDecision(d, texts)!, texts)).toBe(JSON.stringify(d));
  });

  it('first: an undetermined earlier row leaves the answer undetermined', () => {
    const d = at({ 涉及人数: 100, 涉及领域: '民生' });
    expect(d.outcomes).toEqual([]);
    expect(d.undetermined.map((u) => [u.ruleId, u.missingFacts])).toEqual([
      ['舆情分级.特别重大', ['转发量']],
      ['舆情分级.敏感', ['转发量']],
    ]);
    // 重大 needs 涉及领域 == 资金: false whatever 转发量 is; 一般 is excluded by 敏感's cells.
    expect(d.notFired).toEqual(['舆情分级.重大', '舆情分级.一般']);
  });

  it('collect: sum over the rows that hold, max of their values; an undetermined row leaves the total undetermined', () => {
    const ded = resolveOne(compile(join(ROOT, 'deductions', 'input.policy')), [], '2024-01-01');
    const d = evaluateSync(ded, { 问题数: 5, 整改: false, 挪用金额: 200000 }, { asOf: AS_OF });
    const total = (id: string) => d.outcomes.find((o) => o.ruleId === id)?.computed[id]?.result;
    expect(total('扣分')).toEqual({ type: 'integer', value: 15 });
    expect(total('最重')).toEqual({ type: 'integer', value: 3 });
    const u = evaluateSync(ded, { 整改: false, 挪用金额: 0 }, { asOf: AS_OF });
    expect(u.outcomes.find((o) => o.ruleId === '扣分')?.computed['扣分']?.result).toEqual({ type: 'undetermined', missingFacts: ['问题数'] });
    expect(u.notFired).toContain('最重');
  });

  it('scorecard: each indicator with its article, the total and the grade; a missing fact leaves the grade undetermined', () => {
    const sc = resolveOne(compile(join(ROOT, 'scorecard', 'input.policy')), [], '2024-01-01');
    const d = evaluateSync(sc, { 脱贫率: 99, 资金违规: false, 满意度: 85 }, { asOf: AS_OF });
    expect(d.outcomes.map((o) => [o.ruleId, Object.values(o.computed)[0]!.result, o.citation.article])).toEqual([
      ['考核.成效.1', { type: 'integer', value: 40 }, '第六条'],
      ['考核.资金.1', { type: 'integer', value: 30 }, '第七条'],
      ['考核.满意.2', { type: 'integer', value: 20 }, '第八条'],
      ['考核', { type: 'integer', value: 90 }, '第六条'],
      ['考核.好', { type: 'string', value: '好' }, '第十条'],
    ]);
    const m = evaluateSync(sc, { 脱贫率: 99, 资金违规: false }, { asOf: AS_OF });
    expect(m.undetermined.map((u) => u.ruleId)).toEqual(['考核.满意.1', '考核.满意.2', '考核.好', '考核.较好', '考核.一般', '考核.较差']);
    expect(m.outcomes.find((o) => o.ruleId === '考核')?.computed['考核']?.result).toEqual({ type: 'undetermined', missingFacts: ['满意度'] });
  });
});

describe('long tables', () => {
  const header = `policy "t/long"\n  title "长表"\n  jurisdiction t\n  version "1"\n  effective from 2020-01-01\n  source 办法 "办法"\n\nfacts\n  x "x": integer\n`;
  const rows = (n: number, indent = '  ') => Array.from({ length: n }, (_, i) => `${indent}row r${i}: >= ${(n - i) * 10} gives ${n - i}\n${indent}  cites 办法 "第${i + 1}条"`).join('\n');

  it.each(['first', 'collect sum', 'collect min', 'collect max', 'unique'])('hit %s with 120 rows stays within the nesting limit and linear in size', (hit) => {
    const r = compileSource(`${header}\ntable t "t"\n  hit ${hit}\n  columns x\n${rows(120)}\n`);
    expect(r.diagnostics).toEqual([]);
    expect(JSON.stringify(r.value).length).toBeLessThan(200_000);
    const d = evaluateSync(resolveOne(r.value!, [], '2020-01-01'), { x: 55 }, { asOf: AS_OF });
    // x = 55 holds for rows r115 (>= 50) … r119 (>= 10), giving 5 … 1.
    const total = d.outcomes.find((o) => o.ruleId === 't')?.computed['t']?.result;
    if (hit === 'first') expect(d.outcomes.map((o) => o.ruleId)).toEqual(['t.r115']);
    if (hit === 'collect sum') expect(total).toEqual({ type: 'integer', value: 15 });
    if (hit === 'collect min') expect(total).toEqual({ type: 'integer', value: 1 });
    if (hit === 'collect max') expect(total).toEqual({ type: 'integer', value: 5 });
    if (hit === 'unique') expect(d.outcomes).toHaveLength(5);
  });

  it('a scorecard indicator with 120 bands', () => {
    const r = compileSource(`${header}\nscorecard s "s"\n  indicator i "i"\n    columns x\n${rows(120, '    ')}\n`);
    expect(r.diagnostics).toEqual([]);
    const d = evaluateSync(resolveOne(r.value!, [], '2020-01-01'), { x: 55 }, { asOf: AS_OF });
    expect(d.outcomes.find((o) => o.ruleId === 's')?.computed['s']?.result).toEqual({ type: 'integer', value: 5 });
  });
});
