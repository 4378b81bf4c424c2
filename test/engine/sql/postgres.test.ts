/**
 * The PostgreSQL dialect, run in the real PostgreSQL server the test setup starts, against the
 * reference interpreter: random policies and records as in duckdb.test.ts, verdicts, missing facts
 * and computed amounts record for record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateSync } from '../../../engine/evaluate/decide.ts';
import { compileSql, policyQuery } from '../../../engine/sql/compile.ts';
import { createTablesSql, insertSql, sourceNamed } from '../../../engine/sql/records.ts';
import { openPostgres, type PgSql } from '../../../engine/sql/postgres.ts';
import { freshDatabase, type TestDatabase } from '../../support/pg.ts';
import { parseDate, workdaysBetween } from '../../../engine/values/index.ts';
import { arbPolicyIr } from '../ir/arbitraries.ts';
import { resolveOne } from '../evaluate/ir.ts';
import { dateText, expectAgree, factsFor } from './agree.ts';

let tdb: TestDatabase;
let db: PgSql;
beforeAll(async () => {
  tdb = await freshDatabase('sql');
  db = await openPostgres(tdb.url);
});
afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

const RECORDS = 16;
const arbCase = arbPolicyIr().chain((ir) =>
  fc.gen().map((g) => ({ ir, asOf: dateText(g), records: Array.from({ length: RECORDS }, (_, i) => ({ rid: i + 1, facts: factsFor(g, ir) })) })),
);

describe('IR compiled to SQL agrees with the engine on PostgreSQL', () => {
  it('rounds money × number as the engine does (float8 → numeric keeps 15 digits)', async () => {
    const rows = await db.all<{ a: string; b: string; c: string }>(
      `SELECT tw_round(CAST(1.15 AS DOUBLE PRECISION) * 100) AS a, tw_round(CAST(-2.5 AS DOUBLE PRECISION)) AS b, tw_workdays_between(DATE '2024-09-27', DATE '2024-10-08') AS c`,
    );
    // 1.15 × 100 is 114.99999999999999 in binary; the National Day week and its make-up days come from the calendar table.
    expect(rows[0]).toEqual({ a: '115', b: '-3', c: workdaysBetween(parseDate('2024-09-27')!, parseDate('2024-10-08')!) });
  });

  it('on random policies and random records', async () => {
    let n = 0;
    let compiled = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ ir, asOf, records }) => {
        const resolved = resolveOne(ir, [], ir.effectiveFrom);
        const name = `p${n++}`;
        const source = sourceNamed(resolved.ir.facts, name);
        const plan = compileSql([{ ir: resolved.ir, prefix: 'b_' }], { dialect: 'postgres', asOf, source });
        if (!plan.value) {
          refused++;
          expect(plan.diagnostics.every((d) => d.code.startsWith('sql.'))).toBe(true);
          return;
        }
        compiled++;
        for (const s of createTablesSql(resolved.ir.facts, 'postgres', source)) await db.run(s);
        for (const s of insertSql(resolved.ir.facts, records, 'postgres', source)) await db.run(s);
        const rows = await db.all(`${policyQuery(plan.value)} ORDER BY rid`);
        expect(rows.length).toBe(records.length);
        const side = plan.value.sides[0]!;
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
      }),
      { numRuns: 60, seed: 20261207 },
    );
    expect(compiled).toBeGreaterThan(refused * 4);
  }, 120_000);
});
