/**
 * The SQL stage on DuckDB against the reference interpreter: random policies from the IR grammar
 * with random records (missing facts and list fields included) — every rule's verdict, the missing
 * facts of undetermined rules and the computed amounts of fired ones must be the engine's, record
 * for record. A policy the SQL refuses must be refused with a `sql.*` diagnostic, and most random
 * policies must compile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateSync } from '../../../engine/evaluate/decide.ts';
import { compileSql, policyQuery } from '../../../engine/sql/compile.ts';
import { createTablesSql, insertSql, sourceNamed } from '../../../engine/sql/records.ts';
import { ident } from '../../../engine/sql/dialect.ts';
import { openDuckDb, type DuckDb } from '../../../engine/sql/duckdb.ts';
import { arbPolicyIr } from '../ir/arbitraries.ts';
import { resolveOne } from '../evaluate/ir.ts';
import { dateText, expectAgree, factsFor } from './agree.ts';

let db: DuckDb;
beforeAll(async () => {
  db = await openDuckDb({ threads: 1 });
});
afterAll(() => db?.close());

const RECORDS = 24;
const arbCase = arbPolicyIr().chain((ir) =>
  fc.gen().map((g) => ({ ir, asOf: dateText(g), records: Array.from({ length: RECORDS }, (_, i) => ({ rid: i + 1, facts: factsFor(g, ir) })) })),
);

describe('IR compiled to SQL agrees with the engine on DuckDB', () => {
  it('on random policies and random records', async () => {
    let n = 0;
    let compiled = 0;
    let refused = 0;
    let listForms = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ ir, asOf, records }) => {
        const resolved = resolveOne(ir, [], ir.effectiveFrom);
        const name = `p${n++}`;
        const source = sourceNamed(resolved.ir.facts, name);
        const plan = compileSql([{ ir: resolved.ir, prefix: 'b_' }], { dialect: 'duckdb', asOf, source });
        if (!plan.value) {
          refused++;
          expect(plan.diagnostics.length).toBeGreaterThan(0);
          expect(plan.diagnostics.every((d) => d.code.startsWith('sql.'))).toBe(true);
          return;
        }
        compiled++;
        for (const s of createTablesSql(resolved.ir.facts, 'duckdb', source)) await db.run(s);
        for (const s of insertSql(resolved.ir.facts, records, 'duckdb', source)) await db.run(s);
        const rows = await db.all(`${policyQuery(plan.value)} ORDER BY rid`);
        expect(rows.length).toBe(records.length);
        const side = plan.value.sides[0]!;
        // policyQuery names columns by rule; read them back through the layout's names.
        for (const [i, rec] of records.entries()) {
          const want = evaluateSync(resolved, rec.facts, { asOf });
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
          expectAgree(want, resolved.ir, side, byLayout, `${name} record ${rec.rid} ${JSON.stringify(rec.facts)} asOf ${asOf}`);
        }
        // List form (the Parquet datasets' path): the same records with each list as a LIST<STRUCT>
        // column, aggregates as list functions; every column must equal the join form's.
        const listColumns: Record<string, string> = {};
        const cols = resolved.ir.facts.flatMap((f) => {
          if (f.type.kind !== 'list') return [];
          listColumns[f.name] = `${f.name}[]`;
          const fields = f.type.fields.map((x) => `${ident(x.name)} := l.${ident(x.name)}`).join(', ');
          return [`CASE WHEN r.${ident(f.name)} IS NULL THEN NULL ELSE COALESCE((SELECT list(struct_pack(${fields}) ORDER BY l.idx) FROM ${source.lists[f.name]} l WHERE l.rid = r.rid), []) END AS ${ident(`${f.name}[]`)}`];
        });
        if (cols.length && policyQuery(plan.value).includes('GROUP BY c.rid')) {
          await db.run(`CREATE OR REPLACE TABLE ${name}_lf AS SELECT r.*, ${cols.join(', ')} FROM ${source.records} r`);
          const lf = compileSql([{ ir: resolved.ir, prefix: 'b_' }], { dialect: 'duckdb', asOf, source: { records: `${name}_lf`, lists: {}, listColumns } });
          expect(lf.diagnostics).toEqual([]);
          // Where the join form groups a list's rows, the list form reads the list column instead.
          expect(policyQuery(lf.value!)).not.toContain('GROUP BY');
          expect(await db.all(`${policyQuery(lf.value!)} ORDER BY rid`)).toEqual(rows);
          listForms++;
        }
      }),
      { numRuns: 100, seed: 20261206 },
    );
    expect(compiled).toBeGreaterThan(refused * 4);
    expect(listForms).toBeGreaterThan(10);
  }, 120_000);
});
