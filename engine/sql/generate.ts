/**
 * Synthetic records for any policy, generated inside DuckDB: a SELECT giving `rid` and one column
 * per declared fact (lists as LIST<STRUCT>), each value drawn from a hash of (seed, record, fact),
 * so the same seed gives the same records at any size and on any number of threads; missing values
 * included. Used by the library check (test/engine/sql) and the household benchmark (bench/households.ts).
 */
import type { FactDecl, PolicyIR } from '../ir/types.ts';
import { ident, str } from './dialect.ts';

export interface FactShape {
  /** Share of records where the fact is missing (default 0.05). */
  missing?: number;
  /** SQL for the value given a uniform draw in [0, 1) (`u(k)` for the k-th independent draw). */
  sql?: (u: (k: number) => string) => string;
}

export interface GenerateOptions {
  count: number;
  seed: number;
  shapes?: Record<string, FactShape>;
  /** Largest list length (records 0…max, uniform). */
  maxListLength?: number;
}

/** A uniform draw in [0, 1) from a hash of the arguments (SQL). */
function uniform(...parts: (string | number)[]): string {
  return `(CAST(hash(${parts.join(', ')}) % 1000003 AS DOUBLE) / 1000003)`;
}

function valueSql(decl: FactDecl, u: (k: number) => string, shape: FactShape | undefined): string {
  if (shape?.sql) return shape.sql(u);
  switch (decl.type.kind) {
    case 'boolean':
      return `(${u(0)} < 0.5)`;
    case 'integer':
      return `CAST(floor(${u(0)} * 401) AS INTEGER)`;
    case 'number':
      return `round(${u(0)} * 1000, 2)`;
    case 'percent':
      return `round(${u(0)} * 20, 2)`;
    case 'money':
      return `CAST(round(${u(0)} * 100000, 2) AS DECIMAL(18,2))`;
    case 'date':
      return `CAST(DATE '2015-01-01' + CAST(floor(${u(0)} * 3650) AS INTEGER) AS DATE)`;
    case 'string':
      return `[${['甲', '乙', '丙', ''].map(str).join(', ')}][1 + CAST(floor(${u(0)} * 4) AS INTEGER)]`;
    case 'enum':
      return `[${decl.type.values.map((v) => str(v.value)).join(', ')}][1 + CAST(floor(${u(0)} * ${decl.type.values.length}) AS INTEGER)]`;
    case 'list':
      throw new Error('engine bug: lists are generated apart');
  }
}

/** The SELECT generating the records (DuckDB). */
export function generateSql(ir: PolicyIR | readonly FactDecl[], opts: GenerateOptions): string {
  const facts = Array.isArray(ir) ? (ir as readonly FactDecl[]) : (ir as PolicyIR).facts;
  const seed = Math.trunc(opts.seed);
  const maxLen = opts.maxListLength ?? 5;
  const cols = facts.map((f, k) => {
    const shape = opts.shapes?.[f.name];
    const missing = shape?.missing ?? 0.05;
    const u = (j: number) => uniform('r.i', seed, k * 16 + j + 1);
    let v: string;
    if (f.type.kind === 'list') {
      const fields = f.type.fields.map((x, m) => {
        const fu = (j: number) => uniform('r.i', 'e', seed, k * 16 + 1000 + m * 16 + j);
        const fv = valueSql(x, fu, opts.shapes?.[`${f.name}.${x.name}`]);
        const fm = opts.shapes?.[`${f.name}.${x.name}`]?.missing ?? 0.03;
        return `${ident(x.name)} := CASE WHEN ${fu(15)} < ${fm} THEN NULL ELSE ${fv} END`;
      });
      v = `list_transform(range(CAST(floor(${u(0)} * ${maxLen + 1}) AS BIGINT)), lambda e: struct_pack(${fields.join(', ')}))`;
    } else {
      v = valueSql(f, u, shape);
    }
    return `CASE WHEN ${u(15)} < ${missing} THEN NULL ELSE ${v} END AS ${ident(f.name)}`;
  });
  return `SELECT CAST(r.i + 1 AS BIGINT) AS rid${cols.map((c) => `,\n  ${c}`).join('')}\nFROM range(${Math.trunc(opts.count)}) r(i)`;
}
