/**
 * Every policy version in policies/ compiles to SQL in both dialects, and on generated records
 * (every declared fact a column, missing values and list records with missing fields included) the
 * DuckDB verdicts equal the engine's, record for record. Records are generated in DuckDB and compared
 * in bulk: the SQL gives each record's verdicts packed into one number, the compiled evaluator (held
 * to the reference by test/engine/compiled) the same from the records read back as JSON facts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../../engine/node.ts';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { compileSql } from '../../../engine/sql/compile.ts';
import { generateSql } from '../../../engine/sql/generate.ts';
import { openDuckDb, type DuckDb } from '../../../engine/sql/duckdb.ts';
import { attachFile } from '../../../engine/sql/dataset.ts';
import { factsOfRow } from '../../../engine/sql/inprocess.ts';
import { str } from '../../../engine/sql/dialect.ts';
import type { ResolvedPolicy } from '../../../engine/library/library.ts';

/** Records per policy version; 13 versions make a dataset of more than 100,000 records. */
const PER_POLICY = 8_000;
const PAGE = 4_000;

let db: DuckDb;
let dir: string;
const versions: { name: string; resolved: ResolvedPolicy; asOf: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tw-lib-'));
  db = await openDuckDb();
  const { library } = await loadPolicyDir(path.resolve(import.meta.dirname, '../../../policies'));
  for (const id of library.ids()) {
    for (const v of library.versions(id)) {
      // Judged on a day in force, late enough that later-dated parameter values count.
      const asOf = v.effectiveUntil ?? (v.effectiveFrom > '2020-06-30' ? v.effectiveFrom : '2020-06-30');
      const r = library.resolve(id, { version: v.version, asOf });
      if (!r.value) throw new Error(`${id}@${v.version}: ${r.diagnostics.map((d) => d.message.en).join('; ')}`);
      versions.push({ name: `${id}@${v.version}`, resolved: r.value, asOf });
    }
  }
}, 120_000);
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the policy library as SQL', () => {
  it('compiles every version in both dialects', () => {
    expect(versions.length).toBeGreaterThanOrEqual(13);
    for (const v of versions) {
      for (const dialect of ['duckdb', 'postgres'] as const) {
        const plan = compileSql([{ ir: v.resolved.ir, prefix: '' }], { dialect, asOf: v.asOf });
        expect({ policy: v.name, dialect, diagnostics: plan.diagnostics }).toEqual({ policy: v.name, dialect, diagnostics: [] });
      }
    }
  });

  it(`gives the engine's verdicts on ${PER_POLICY} generated records per version`, async () => {
    let total = 0;
    for (const [n, v] of versions.entries()) {
      const ir = v.resolved.ir;
      const file = path.join(dir, `p${n}.parquet`);
      await db.run(`COPY (${generateSql(ir, { count: PER_POLICY, seed: 1000 + n })}) TO ${str(file)} (FORMAT parquet)`);
      const attached = await attachFile(db, file, ir.facts);
      const plan = compileSql([{ ir, prefix: 'b_' }], { dialect: 'duckdb', asOf: v.asOf, source: attached.source }).value!;
      const side = plan.sides[0]!;
      // Each record's verdicts as one text of codes, in rule order.
      const codes = side.rules.map((r) => `CAST(t.${r.status} AS VARCHAR)`).join(' || ');
      const sqlRows = await db.all<{ rid: string; v: string; valid: boolean }>(`WITH ${plan.ctes.join(',\n')} SELECT t.rid, ${codes} AS v, t.${side.valid} AS valid FROM ${plan.last} t ORDER BY t.rid`);
      expect(sqlRows.length).toBe(PER_POLICY);
      const compiled = compilePolicy(v.resolved);
      const mismatches: unknown[] = [];
      let i = 0;
      const fired = new Set<number>();
      for (let offset = 0; offset < PER_POLICY; offset += PAGE) {
        const rows = await db.all(`SELECT * FROM tw_src ORDER BY rid LIMIT ${PAGE} OFFSET ${offset}`);
        for (const row of rows) {
          const facts = factsOfRow(row, ir.facts);
          const d = compiled.decideCompact(facts, { asOf: v.asOf });
          const got = sqlRows[i++]!;
          const want = d.status === 'ok' ? Array.from(d.codes).join('') : 'invalid';
          const have = got.valid ? got.v : 'invalid';
          if (want !== have && mismatches.length < 3) mismatches.push({ rid: got.rid, want, have, facts });
          d.codes.forEach((c, r) => c === 1 && fired.add(r));
        }
      }
      expect({ policy: v.name, mismatches }).toEqual({ policy: v.name, mismatches: [] });
      // The records exercise the policy: some rule fires on them.
      expect({ policy: v.name, fired: fired.size > 0 }).toEqual({ policy: v.name, fired: true });
      total += PER_POLICY;
    }
    expect(total).toBeGreaterThanOrEqual(100_000);
  }, 180_000);
});
