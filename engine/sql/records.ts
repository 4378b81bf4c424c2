/**
 * Records as SQL tables: the table shapes a policy's facts take (`tw_records`, one `tw_list_<fact>`
 * per list fact, as `SqlSource` describes) and JSON facts written into them. For tests, small
 * uploads and the node engine's reading back; large datasets come from Parquet, CSV or PostgreSQL.
 */
import type { FactDecl, PolicyIR } from '../ir/types.ts';
import { defaultListRelation } from './compile.ts';
import { dialectOf, ident, str } from './dialect.ts';
import type { SqlDialect, SqlSource } from './types.ts';

/** Table names for a set of facts: `<name>` for the records, `<name>_<i>` for the i-th list fact. */
export function sourceNamed(facts: readonly FactDecl[], name = 'tw_records'): SqlSource {
  const lists: Record<string, string> = {};
  facts.filter((f) => f.type.kind === 'list').forEach((f, i) => (lists[f.name] = `${name}_${i}`));
  return { records: name, lists };
}

const listRel = (source: SqlSource, list: string) => source.lists[list] ?? defaultListRelation(list);

/** The column type a fact's values are stored in: as written in JSON facts (money in yuan, percent as written). */
export function columnType(decl: FactDecl, dialect: SqlDialect): string {
  const d = dialectOf(dialect);
  switch (decl.type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'integer':
    case 'number':
    case 'percent':
      return d.double;
    case 'money':
      return 'DECIMAL(18,2)';
    case 'date':
      return 'DATE';
    case 'string':
    case 'enum':
      return 'VARCHAR';
    case 'list':
      return 'INTEGER';
  }
}

/** CREATE statements for the records table and the list tables of a policy's facts (several policies: the union). */
export function createTablesSql(facts: readonly FactDecl[], dialect: SqlDialect, source: SqlSource = sourceNamed(facts)): string[] {
  const records = source.records;
  const cols = facts.map((f) => `${ident(f.name)} ${columnType(f, dialect)}`);
  const out = [`CREATE TABLE ${records} (rid BIGINT PRIMARY KEY${cols.map((c) => `, ${c}`).join('')})`];
  for (const f of facts) {
    if (f.type.kind !== 'list') continue;
    const fields = f.type.fields.map((x) => `${ident(x.name)} ${columnType(x, dialect)}`);
    out.push(`CREATE TABLE ${listRel(source, f.name)} (rid BIGINT, idx INTEGER${fields.map((c) => `, ${c}`).join('')})`);
  }
  return out;
}

/** The facts of every policy, by name (later declarations replace earlier ones). */
export function unionFacts(irs: readonly PolicyIR[]): FactDecl[] {
  const m = new Map<string, FactDecl>();
  for (const ir of irs) for (const f of ir.facts) m.set(f.name, f);
  return [...m.values()];
}

function literal(decl: FactDecl, v: unknown, dialect: SqlDialect): string {
  if (v === undefined || v === null) return 'NULL';
  switch (decl.type.kind) {
    case 'boolean':
      return v === true ? 'TRUE' : v === false ? 'FALSE' : bad(decl, v);
    case 'integer':
    case 'number':
    case 'percent':
      return typeof v === 'number' && Number.isFinite(v) ? `CAST(${String(v)} AS ${dialectOf(dialect).double})` : bad(decl, v);
    case 'money':
      return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d+(\.\d{1,2})?$/.test(v.trim())) ? `CAST(${String(v).trim()} AS DECIMAL(18,2))` : bad(decl, v);
    case 'date':
      return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? `DATE '${v}'` : bad(decl, v);
    case 'string':
    case 'enum':
      return typeof v === 'string' ? str(v) : bad(decl, v);
    case 'list':
      return Array.isArray(v) ? String(v.length) : bad(decl, v);
  }
}

function bad(decl: FactDecl, v: unknown): never {
  throw new TypeError(`fact ${decl.name}: ${JSON.stringify(v)} does not fit a ${decl.type.kind} column`);
}

/** INSERT statements writing records (plain JSON facts, each with its rid) into the tables, in batches. */
export function insertSql(
  facts: readonly FactDecl[],
  rows: readonly { rid: number; facts: Record<string, unknown> }[],
  dialect: SqlDialect,
  source: SqlSource = sourceNamed(facts),
  batch = 500,
): string[] {
  const records = source.records;
  const out: string[] = [];
  const cols = ['rid', ...facts.map((f) => ident(f.name))].join(', ');
  for (let i = 0; i < rows.length; i += batch) {
    const values = rows.slice(i, i + batch).map((r) => `(${[String(r.rid), ...facts.map((f) => literal(f, r.facts[f.name], dialect))].join(', ')})`);
    out.push(`INSERT INTO ${records} (${cols}) VALUES ${values.join(',\n')}`);
  }
  for (const f of facts) {
    if (f.type.kind !== 'list') continue;
    const fields = f.type.fields;
    const lcols = ['rid', 'idx', ...fields.map((x) => ident(x.name))].join(', ');
    const lrows: string[] = [];
    for (const r of rows) {
      const list = r.facts[f.name];
      if (!Array.isArray(list)) continue;
      list.forEach((rec: Record<string, unknown>, j) => lrows.push(`(${[String(r.rid), String(j + 1), ...fields.map((x) => literal(x, rec?.[x.name], dialect))].join(', ')})`));
    }
    for (let i = 0; i < lrows.length; i += batch) out.push(`INSERT INTO ${listRel(source, f.name)} (${lcols}) VALUES ${lrows.slice(i, i + batch).join(',\n')}`);
  }
  return out;
}
