/**
 * Copies every table of one store into another, empty one — typically an existing SQLite data
 * folder into PostgreSQL when a deployment scales out — and checks the copy: per table, the row
 * count and a SHA-256 over the rows in key order must be equal on both sides. Rows are read in
 * key order, `CHUNK` at a time, so a large decision log never sits in memory.
 */
import { createHash } from 'node:crypto';
import type { Queryable, Row, SqlValue } from './sql.ts';
import type { Store } from './store.ts';

/** Tables in an order that satisfies their foreign keys, each with its key columns. */
export const TABLES: { name: string; key: string[] }[] = [
  { name: 'meta', key: ['key'] },
  { name: 'persons', key: ['id'] },
  { name: 'tokens', key: ['id'] },
  { name: 'oidc_links', key: ['issuer', 'sub'] },
  { name: 'versions', key: ['hash'] },
  { name: 'drafts', key: ['id'] },
  { name: 'reviews', key: ['id'] },
  { name: 'audit', key: ['id'] },
  { name: 'decision_texts', key: ['id'] },
  { name: 'decisions', key: ['id'] },
  { name: 'decision_batches', key: ['part', 'seq'] },
  { name: 'decision_checkpoints', key: ['part'] },
  { name: 'jobs', key: ['id'] },
  { name: 'job_changes', key: ['job_id', 'seq'] },
  { name: 'job_inputs', key: ['job_id'] },
  { name: 'job_reports', key: ['job_id'] },
  { name: 'draft_simulations', key: ['draft_id', 'job_id'] },
];

const CHUNK = 500;

export interface TableReport {
  table: string;
  rows: number;
  sourceHash: string;
  targetHash: string;
}

/** Rows of a table in key order, a chunk at a time (keyset pagination, no OFFSET). */
async function* rowsOf(db: Queryable, table: { name: string; key: string[] }): AsyncGenerator<Row> {
  const order = table.key.join(', ');
  let last: SqlValue[] | undefined;
  for (;;) {
    const where = last ? `WHERE (${order}) > (${table.key.map(() => '?').join(', ')})` : '';
    const rows = await db.all(`SELECT * FROM ${table.name} ${where} ORDER BY ${order} LIMIT ?`, [...(last ?? []), CHUNK]);
    if (rows.length === 0) return;
    for (const r of rows) yield r;
    const end = rows[rows.length - 1]!;
    last = table.key.map((k) => end[k] as SqlValue);
  }
}

/** One row as comparable text: columns by name, bytes as hex, whatever driver read them. */
function canonical(r: Row): string {
  const cols = Object.keys(r).sort();
  return JSON.stringify(cols.map((c) => {
    const v = r[c];
    if (v instanceof Uint8Array) return `hex:${Buffer.from(v).toString('hex')}`;
    return v ?? null;
  }));
}

async function tableHash(db: Queryable, table: { name: string; key: string[] }): Promise<{ rows: number; hash: string }> {
  const h = createHash('sha256');
  let rows = 0;
  for await (const r of rowsOf(db, table)) {
    h.update(canonical(r)).update('\n');
    rows++;
  }
  return { rows, hash: h.digest('hex') };
}

export class CopyRefused extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
  ) {
    super(en);
  }
}

/**
 * Copies `from` into `to` (which must hold no rows yet), then verifies every table. One
 * transaction on the target: a failed copy leaves it empty. `onProgress` hears each table's count.
 */
export async function copyStore(from: Store, to: Store, onProgress?: (table: string, rows: number) => void): Promise<TableReport[]> {
  for (const t of TABLES) {
    const r = await to.db.get<{ n: number }>(`SELECT count(*) AS n FROM ${t.name}`);
    if (Number(r?.n) > 0) {
      throw new CopyRefused(`目标存储的表 ${t.name} 已有数据;只能复制到空的存储`, `the target store's table ${t.name} already has rows; copy into an empty store only`);
    }
  }
  await to.db.transaction(async (tx) => {
    for (const t of TABLES) {
      let n = 0;
      let batch: Row[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const cols = Object.keys(batch[0]!);
        const values = batch.map(() => `(${cols.map(() => '?').join(', ')})`).join(', ');
        const params: SqlValue[] = [];
        for (const r of batch) for (const c of cols) params.push(r[c] instanceof Uint8Array ? Buffer.from(r[c] as Uint8Array) : (r[c] as SqlValue));
        await tx.run(`INSERT INTO ${t.name} (${cols.join(', ')}) VALUES ${values}`, params);
        n += batch.length;
        batch = [];
        onProgress?.(t.name, n);
      };
      for await (const r of rowsOf(from.db, t)) {
        batch.push(r);
        if (batch.length >= 200) await flush();
      }
      await flush();
    }
    if (to.dialect === 'postgres') {
      // Identity columns continue after the copied ids.
      for (const t of ['persons', 'tokens', 'drafts', 'reviews', 'audit']) {
        await tx.get(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), COALESCE((SELECT max(id) FROM ${t}), 1), (SELECT max(id) FROM ${t}) IS NOT NULL)`);
      }
    }
  });
  const report: TableReport[] = [];
  for (const t of TABLES) {
    const a = await tableHash(from.db, t);
    const b = await tableHash(to.db, t);
    report.push({ table: t.name, rows: a.rows, sourceHash: a.hash, targetHash: b.hash });
    if (a.rows !== b.rows || a.hash !== b.hash) {
      throw new CopyRefused(
        `表 ${t.name} 复制后不一致(源 ${a.rows} 行,目标 ${b.rows} 行)`,
        `table ${t.name} differs after the copy (source ${a.rows} rows, target ${b.rows} rows)`,
      );
    }
  }
  return report;
}
