/**
 * Repositories over the server's database: published versions (immutable, content-addressed),
 * drafts and reviews, audit, tokens, decisions and jobs. Every change and its audit entry are
 * written in one transaction, so the trail never disagrees with the data; the audit trail is a
 * hash chain. The same code runs on SQLite (one process) and PostgreSQL (many instances); the
 * few statements that differ ask `this.db.dialect`.
 */
import { createHash } from 'node:crypto';
import type { PolicyIR } from '../../engine/ir/types.ts';
import { expandDecision, type DecisionTexts, type LeanDecision } from '../../engine/evaluate/lean.ts';
import { Db } from './sqlite/db.ts';
import { migrate as migrateSqlite, MIGRATIONS as SQLITE_MIGRATIONS } from './sqlite/migrations.ts';
import { migrate as migratePostgres, MIGRATIONS as PG_MIGRATIONS } from './postgres/migrations.ts';
import { latest } from './migrate.ts';
import {
  batchHash,
  dayOfPartition,
  entriesOf,
  LEDGER_GENESIS,
  ledgerAlgAvailable,
  ledgerRowOf,
  privacyColumns,
  parseEntries,
  prefixOf,
  rowDigest,
  type LedgerAlg,
  type LedgerProblem,
  type LedgerRow,
} from './ledger.ts';
import { isPostgresUrl, isUniqueViolation, type ChangeChannel, type Dialect, type Queryable, type SqlDatabase, type SqlValue } from './sql.ts';
import { msg } from '../messages.ts';
import { Persons } from './persons.ts';
import type { ChangeFilter, Draft, DraftMarker, DraftStatus, JobStatus, SourceFormat } from '../wire.ts';

// The shapes the API sends as they are stored: one definition, in ../wire.ts.
export type { ChangeFilter, DraftMarker, DraftStatus, JobStatus, SourceFormat };

export { DB_FILE, isPostgresUrl, redactStoreSpec } from './sql.ts';

/** Advisory-lock keys (PostgreSQL) for work one instance at a time does. */
const AUDIT_LOCK = 7_301_002;
const LEDGER_LOCK = 7_301_006;
/** The mark migration 7 (PostgreSQL 4) puts on rows logged before the chain existed, until chained. */
const LEDGER_PENDING = 'unchained';
export const SEED_LOCK = 7_301_003;

export const ROLES = ['admin', 'author', 'reviewer', 'system', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export interface VersionRecord {
  hash: string;
  policyId: string;
  version: string;
  jurisdiction: string;
  title: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  format: SourceFormat;
  source: string;
  ir: PolicyIR;
  publishedAt: string;
  publishedBy: string;
  draftId?: number;
  /** Who wrote the draft this version came from; `publishedBy` (`system`) for the seed library. */
  author: string;
  /** Who approved that draft (its last approval); none for the seed library. */
  approvedBy?: string;
}

/** What a publish supplies; author and approver are read from the draft and its reviews. */
export type NewVersion = Omit<VersionRecord, 'publishedAt' | 'author' | 'approvedBy'>;

/** A draft as stored: what the API sends without its `etag` (derived from its revision and source). */
export type DraftRecord = Omit<Draft, 'etag'>;

export interface ReviewRecord {
  id: number;
  draftId: number;
  actor: string;
  action: 'submit' | 'approve' | 'reject';
  comment?: string;
  revision: number;
  at: string;
}

export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
}

/** Where `tiaowen audit verify` found the chain broken. */
export interface AuditBreak {
  id: number;
  reason: 'hash-mismatch' | 'prev-mismatch' | 'unchained';
  expected: string;
  found: string | null;
}

/**
 * An audit entry's link: the SHA-256 of the previous entry's hash and this entry's fields as
 * stored, so editing, removing or reordering any entry breaks every link after it.
 */
export function auditHash(prev: string, r: { at: string; actor: string; action: string; target: string; before: string | null; after: string | null }): string {
  return createHash('sha256').update(JSON.stringify([prev, r.at, r.actor, r.action, r.target, r.before, r.after])).digest('hex');
}
/** The link before the first entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

export interface TokenRecord {
  id: number;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  /** A login session's end (OpenID Connect); none: the token lasts until revoked. */
  expiresAt?: string;
}

export interface DecisionRecord {
  id: string;
  at: string;
  caller: string;
  policyId: string;
  version: string;
  policyHash: string;
  asOf: string;
  facts: unknown;
  /** Names of fields replaced by a salted hash before storage. */
  masked: string[];
  decision: unknown;
  /** Set when the decision was made on a draft, not a published version. */
  draft?: DraftMarker;
  /** The caller's own id of the case (evaluate's `subject`, a batch line's `id`). */
  subject?: string;
  /** Set when a client decided in its own process (a policy bundle) and reported it: the client's name. */
  reportedBy?: string;
  /** The subject fact's keyed hash (`hmac-<alg>:…`), when the policy declares a subject and the facts carry it. */
  subjectKey?: string;
  /** Personal facts kept because a rule reads them (`a`, `list[].field`): hidden from roles without personal access. */
  personal?: string[];
}

/** What the decision log is searched by (all optional; `before`: a cursor, the last id seen). */
export interface DecisionQuery {
  policy?: string;
  version?: string;
  from?: string;
  to?: string;
  caller?: string;
  subject?: string;
  /** Keyed hashes a subject fact may be stored under: a row matches by `subject` or by one of these. */
  subjectKeys?: string[];
  before?: string;
  limit: number;
}

/**
 * A decision as the log writes it: with `texts`, `decision` is its lean form (engine/evaluate/lean.ts)
 * and the texts are stored once by id; without, the whole decision.
 */
export interface DecisionInsert extends DecisionRecord {
  texts?: DecisionTexts;
  /** `JSON.stringify(decision)`, when the caller has it already. */
  decisionJson?: string;
  /** `JSON.stringify(facts)`, when the caller has it already. */
  factsJson?: string;
}

/** The link of the decision log's chain a commit writes (./ledger.ts); `opens` on a partition's first batch. */
export interface LedgerLink {
  part: string;
  seq: number;
  prev: string;
  alg: LedgerAlg;
  /** The partition is new: its opening (and the last head of the writer's previous one) goes into the audit trail. */
  opens?: { previous?: LedgerHead };
}

/** Where a partition's chain stands. */
export interface LedgerHead {
  part: string;
  seq: number;
  hash: string;
  count: number;
}

/** Whether a logged decision is as it was committed. */
export type Integrity = 'intact' | 'tampered' | 'unchained';

/** What the audit trail says of a partition: opened, sealed at a head, dropped at a checkpoint. */
interface PartitionClaims {
  opened: Set<string>;
  sealed: Map<string, LedgerHead>;
  dropped: Map<string, LedgerHead>;
}

/** What a job needs to run on any instance: its upload and both sides, resolved when it was created. */
export interface JobInput {
  format: string;
  bytes: Buffer;
  /** The resolved policies as JSON (the engine's ResolvedPolicy). */
  baseline: unknown;
  candidate: unknown;
  asOf: string;
}

export interface JobRecord {
  id: string;
  kind: string;
  createdBy: string;
  createdAt: string;
  status: JobStatus;
  params: unknown;
  total: number;
  done: number;
  result?: unknown;
  error?: unknown;
  finishedAt?: string;
  /** The instance that claimed it last. */
  runner?: string;
  attempts: number;
}

export interface JobChange {
  seq: number;
  line: number;
  record: unknown;
  baseline: unknown;
  candidate: unknown;
  /** The columns kept for grouping the impact report (upload.ts KEEP_COLUMN), when any. */
  columns?: Record<string, string>;
}

/** A simulation attached to a draft under review, for its approver to read (server/report/). */
export interface DraftSimulation {
  draftId: number;
  jobId: string;
  /** The column the report is grouped by, as the person attaching chose it. */
  by?: string;
  attachedBy: string;
  attachedAt: string;
  /** The draft's revision when it was attached. */
  revision: number;
}

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: string | null;
  after: string | null;
  prev_hash: string | null;
  hash: string | null;
}

interface BatchRow {
  part: string;
  seq: number;
  alg: string;
  at: string;
  count: number;
  entries: string;
  prev_hash: string;
  hash: string;
}

const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
const parse = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) : undefined);
const opt = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Internal: thrown inside a transaction to abort it; callers translate it. */
export class StoreConflict extends Error {
  constructor(
    readonly kind: 'stale' | 'exists' | 'state' | 'same-start',
    message: string,
  ) {
    super(message);
  }
}

export class Store {
  /** Ids of decision texts committed to `decision_texts` (from this process). */
  private readonly storedTexts = new Set<string>();
  private readonly textsCache = new Map<string, DecisionTexts>();

  private constructor(
    readonly db: SqlDatabase,
    readonly clock: Clock,
  ) {}

  /**
   * Opens a store: a `postgres://…` URL, or the path of a SQLite file. Migrates the schema (on
   * PostgreSQL under an advisory lock, so instances starting together take turns) and chains any
   * audit entries written before the chain existed.
   */
  static async open(spec: string, clock: Clock = systemClock): Promise<Store> {
    const db: SqlDatabase = isPostgresUrl(spec) ? await (await import('./postgres/db.ts')).PgDb.open(spec) : await Db.open(spec);
    try {
      await (db.dialect === 'postgres' ? migratePostgres(db) : migrateSqlite(db));
      const store = new Store(db, clock);
      await store.chainAudit();
      await store.chainDecisions();
      // Tokens from before persons existed (or written without one) get their person.
      await new Persons(store).linkTokens();
      return store;
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
  }

  get dialect() {
    return this.db.dialect;
  }

  /** Reachable and migrated to the newest schema this code knows (for `/readyz`). */
  async ready(): Promise<boolean> {
    const want = latest(this.db.dialect === 'postgres' ? PG_MIGRATIONS : SQLITE_MIGRATIONS);
    const r = await this.db.get<{ n: number }>('SELECT max(id) AS n FROM schema_migrations');
    return Number(r?.n) >= want;
  }

  /** Tells every instance that something changed, after the change committed. */
  notify(channel: ChangeChannel, payload: string): Promise<void> {
    return this.db.notify(channel, payload);
  }

  onChange(listener: (channel: ChangeChannel, payload: string) => void): () => void {
    return this.db.listen(listener);
  }

  /** `SELECT … FOR UPDATE` on PostgreSQL, where concurrent transactions may read the same row; SQLite's writer lock already serialises. */
  private get forUpdate(): string {
    return this.db.dialect === 'postgres' ? ' FOR UPDATE' : '';
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ---- meta ------------------------------------------------------------------------------------

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.db.get<{ value: string }>('SELECT value FROM meta WHERE key = ?', [key]))?.value;
  }
  async setMeta(key: string, value: string, tx: Queryable = this.db): Promise<void> {
    await tx.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value', [
      key,
      value,
    ]);
  }

  /**
   * Sets `key` unless it is set already, and returns the value stored: instances racing to set it
   * (a signing key made on first use) all get the one that won.
   */
  async claimMeta(key: string, value: string): Promise<string> {
    await this.db.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING', [key, value]);
    return (await this.getMeta(key)) ?? value;
  }

  // ---- audit -----------------------------------------------------------------------------------

  async audit(
    tx: Queryable,
    entry: { actor: string; action: string; target: string; before?: unknown; after?: unknown },
  ): Promise<void> {
    // One link at a time: the advisory lock (held to commit) orders writers on PostgreSQL;
    // SQLite's transaction already holds the only writer.
    if (this.db.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [AUDIT_LOCK]);
    const last = await tx.get<{ hash: string | null }>('SELECT hash FROM audit ORDER BY id DESC LIMIT 1');
    const row = { at: this.now(), actor: entry.actor, action: entry.action, target: entry.target, before: json(entry.before), after: json(entry.after) };
    const prev = last?.hash ?? AUDIT_GENESIS;
    await tx.run('INSERT INTO audit (at, actor, action, target, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      row.at,
      row.actor,
      row.action,
      row.target,
      row.before,
      row.after,
      prev,
      auditHash(prev, row),
    ]);
  }

  /** Links audit entries written before the chain existed (a data folder from an older version). */
  private async chainAudit(): Promise<void> {
    const unchained = await this.db.get<{ n: number }>('SELECT count(*) AS n FROM audit WHERE hash IS NULL');
    if (!unchained || Number(unchained.n) === 0) return;
    await this.db.transaction(async (tx) => {
      if (this.db.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [AUDIT_LOCK]);
      let prev = AUDIT_GENESIS;
      for (const r of await tx.all<AuditRow>('SELECT * FROM audit ORDER BY id')) {
        if (r.hash === null) {
          const hash = auditHash(prev, r);
          await tx.run('UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?', [prev, hash, r.id]);
          prev = hash;
        } else prev = r.hash;
      }
    });
  }

  /**
   * Walks the audit chain in order and returns the first broken link (or none), reading `chunk`
   * rows at a time; `onProgress` hears how many entries were checked.
   */
  async verifyAudit(onProgress?: (checked: number) => void, chunk = 5000): Promise<{ checked: number; broken?: AuditBreak }> {
    let prev = AUDIT_GENESIS;
    let after = -1;
    let checked = 0;
    for (;;) {
      const rows = await this.db.all<AuditRow>('SELECT * FROM audit WHERE id > ? ORDER BY id LIMIT ?', [after, chunk]);
      if (rows.length === 0) return { checked };
      for (const r of rows) {
        if (r.hash === null || r.prev_hash === null) return { checked, broken: { id: r.id, reason: 'unchained', expected: prev, found: null } };
        if (r.prev_hash !== prev) return { checked, broken: { id: r.id, reason: 'prev-mismatch', expected: prev, found: r.prev_hash } };
        const expected = auditHash(prev, r);
        if (r.hash !== expected) return { checked, broken: { id: r.id, reason: 'hash-mismatch', expected, found: r.hash } };
        prev = r.hash;
        checked++;
      }
      after = rows[rows.length - 1]!.id;
      onProgress?.(checked);
    }
  }

  async queryAudit(q: {
    actor?: string;
    target?: string;
    action?: string;
    from?: string;
    to?: string;
    page: number;
    pageSize: number;
    /** Only entries a person scoped to these jurisdictions may see (`auditScope`); absent: all. */
    scope?: string[];
  }): Promise<{ items: AuditRecord[]; total: number }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.scope) {
      const s = auditScope(this.db.dialect, q.scope);
      where.push(s.sql);
      params.push(...s.params);
    }
    if (q.actor) (where.push('actor = ?'), params.push(q.actor));
    // A target prefix matches the object and everything under it (`policy:gansu/` → all of Gansu).
    if (q.target) (where.push("(target = ? OR target LIKE ? ESCAPE '\\')"), params.push(q.target, likePrefix(q.target)));
    if (q.action) (where.push('action = ?'), params.push(q.action));
    if (q.from) (where.push('at >= ?'), params.push(q.from));
    if (q.to) (where.push('at <= ?'), params.push(q.to));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM audit ${clause}`, params))!.n;
    const rows = await this.db.all(
      `SELECT * FROM audit ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    );
    return {
      total,
      items: rows.map((r) => ({
        id: r.id as number,
        at: r.at as string,
        actor: r.actor as string,
        action: r.action as string,
        target: r.target as string,
        before: parse(r.before),
        after: parse(r.after),
      })),
    };
  }

  // ---- tokens ----------------------------------------------------------------------------------

  async createToken(t: { name: string; role: Role; hash: string; createdBy: string }): Promise<TokenRecord> {
    return this.db.transaction(async (tx) => {
      const at = this.now();
      const lastID = (await tx.get<{ id: number }>(
        'INSERT INTO tokens (name, role, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id',
        [t.name, t.role, t.hash, at, t.createdBy],
      ))!.id;
      const rec: TokenRecord = { id: lastID, name: t.name, role: t.role, createdAt: at, createdBy: t.createdBy };
      await this.audit(tx, { actor: t.createdBy, action: 'token.create', target: `token:${lastID}`, after: rec });
      return rec;
    });
  }

  async tokenByHash(hash: string): Promise<TokenRecord | undefined> {
    const r = await this.db.get('SELECT * FROM tokens WHERE hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)', [hash, this.now()]);
    return r ? tokenRow(r) : undefined;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return (await this.db.all('SELECT * FROM tokens ORDER BY id')).map(tokenRow);
  }

  async countTokens(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT count(*) AS n FROM tokens'))!.n;
  }

  async revokeToken(id: number, actor: string): Promise<TokenRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const r = await tx.get(`SELECT * FROM tokens WHERE id = ? AND revoked_at IS NULL${this.forUpdate}`, [id]);
      if (!r) return undefined;
      if (r.role === 'admin') {
        // Locked together on PostgreSQL so two admins revoking each other's last token take turns.
        // Only tokens that act as admin count: a pending admin (awaiting a second admin) does not.
        // Nor an expiring login session (OIDC): it cannot stand in for a lasting admin token.
        const admins = await tx.all<{ id: number; status: string | null; grants: string | null }>(
          `SELECT t.id, p.status, p.grants FROM tokens t LEFT JOIN persons p ON p.id = t.person_id WHERE t.role = 'admin' AND t.revoked_at IS NULL AND t.expires_at IS NULL${this.dialect === 'postgres' ? ' FOR UPDATE OF t' : ''}`,
        );
        const acting = admins.filter(
          (a) => a.status === null || (a.status === 'active' && (JSON.parse(a.grants ?? '[]') as { role: string; status: string }[]).some((g) => g.role === 'admin' && g.status === 'active')),
        );
        if (acting.length <= 1 && acting.some((a) => Number(a.id) === id)) throw new StoreConflict('state', 'last-admin');
      }
      const at = this.now();
      await tx.run('UPDATE tokens SET revoked_at = ? WHERE id = ?', [at, id]);
      const rec = { ...tokenRow(r), revokedAt: at };
      await this.audit(tx, { actor, action: 'token.revoke', target: `token:${id}`, before: tokenRow(r), after: rec });
      return rec;
    });
  }

  // ---- published versions ----------------------------------------------------------------------

  /**
   * Publishes a version. Content-addressed: publishing the very same IR again is a no-op that
   * returns the stored record; the same (policy, version) label with other content is a conflict.
   */
  async insertVersion(
    v: NewVersion,
    opts: { tx?: Queryable; actor: string; draftFinish?: { draftId: number } },
  ): Promise<{ record: VersionRecord; created: boolean }> {
    const work = async (tx: Queryable) => {
      // Publishes of one policy take turns on PostgreSQL, so the checks below see each other.
      if (this.db.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(7301005, hashtext(?))', [v.policyId]);
      const same = await tx.get(`${VERSION_SELECT} WHERE v.hash = ?`, [v.hash]);
      if (same) return { record: versionRow(same), created: false };
      const clash = await tx.get('SELECT hash FROM versions WHERE policy_id = ? AND version = ?', [v.policyId, v.version]);
      if (clash) throw new StoreConflict('exists', `${v.policyId}@${v.version} is already published`);
      // Two versions in force from the same day: which one decides would be a matter of chance.
      const sameStart = await tx.get<{ version: string }>('SELECT version FROM versions WHERE policy_id = ? AND effective_from = ?', [v.policyId, v.effectiveFrom]);
      if (sameStart) throw new StoreConflict('same-start', sameStart.version);
      const at = this.now();
      await tx.run(
        `INSERT INTO versions (hash, policy_id, version, jurisdiction, title, effective_from, effective_until, format,
          source, ir, published_at, published_by, draft_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          v.hash,
          v.policyId,
          v.version,
          v.jurisdiction,
          v.title,
          v.effectiveFrom,
          v.effectiveUntil ?? null,
          v.format,
          v.source,
          JSON.stringify(v.ir),
          at,
          v.publishedBy,
          v.draftId ?? null,
        ],
      );
      const record = versionRow((await tx.get(`${VERSION_SELECT} WHERE v.hash = ?`, [v.hash]))!);
      await this.audit(tx, {
        actor: opts.actor,
        action: 'version.publish',
        target: `policy:${v.policyId}@${v.version}`,
        after: { hash: v.hash, draftId: v.draftId },
      });
      return { record, created: true };
    };
    // Two instances publishing the same label at once: the loser's insert hits the unique key.
    const guarded = (tx: Queryable) =>
      work(tx).catch((e: unknown) => {
        if (isUniqueViolation(e)) throw new StoreConflict('exists', `${v.policyId}@${v.version} is already published`);
        throw e;
      });
    return opts.tx ? guarded(opts.tx) : this.db.transaction(guarded);
  }

  /** Hashes of every published version (cheap: what an instance compares to catch up). */
  async versionHashes(): Promise<string[]> {
    return (await this.db.all<{ hash: string }>('SELECT hash FROM versions')).map((r) => r.hash);
  }

  async allVersions(): Promise<VersionRecord[]> {
    return (await this.db.all(`${VERSION_SELECT} ORDER BY v.policy_id, v.effective_from, v.version`)).map(versionRow);
  }

  async versionByHash(hash: string): Promise<VersionRecord | undefined> {
    const r = await this.db.get(`${VERSION_SELECT} WHERE v.hash = ?`, [hash]);
    return r ? versionRow(r) : undefined;
  }

  async version(policyId: string, version: string): Promise<VersionRecord | undefined> {
    const r = await this.db.get(`${VERSION_SELECT} WHERE v.policy_id = ? AND v.version = ?`, [policyId, version]);
    return r ? versionRow(r) : undefined;
  }

  // ---- drafts and reviews ----------------------------------------------------------------------

  async createDraft(d: {
    policyId?: string;
    baseHash?: string;
    format: SourceFormat;
    source: string;
    author: string;
  }): Promise<DraftRecord> {
    return this.db.transaction(async (tx) => {
      const at = this.now();
      const lastID = (await tx.get<{ id: number }>(
        `INSERT INTO drafts (policy_id, base_hash, format, source, revision, status, author, editors, created_at, updated_at, updated_by)
         VALUES (?, ?, ?, ?, 1, 'editing', ?, ?, ?, ?, ?) RETURNING id`,
        [d.policyId ?? null, d.baseHash ?? null, d.format, d.source, d.author, JSON.stringify([d.author]), at, at, d.author],
      ))!.id;
      const rec = draftRow((await tx.get('SELECT * FROM drafts WHERE id = ?', [lastID]))!);
      await this.audit(tx, {
        actor: d.author,
        action: 'draft.create',
        target: `draft:${lastID}`,
        after: { policyId: d.policyId, baseHash: d.baseHash, format: d.format, revision: 1 },
      });
      return rec;
    });
  }

  async draft(id: number, tx: Queryable = this.db, lock = false): Promise<DraftRecord | undefined> {
    const r = await tx.get(`SELECT * FROM drafts WHERE id = ?${lock ? this.forUpdate : ''}`, [id]);
    return r ? draftRow(r) : undefined;
  }

  async listDrafts(q: { status?: DraftStatus; policyId?: string }): Promise<DraftRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.status) (where.push('status = ?'), params.push(q.status));
    if (q.policyId) (where.push('policy_id = ?'), params.push(q.policyId));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    return (await this.db.all(`SELECT * FROM drafts ${clause} ORDER BY id`, params)).map(draftRow);
  }

  /**
   * Applies `change` to a draft in one transaction after checking its revision (optimistic
   * concurrency) and letting `check` refuse the change; writes the audit entry with before/after.
   */
  async updateDraft(
    id: number,
    actor: string,
    action: string,
    check: (d: DraftRecord) => void,
    change: (d: DraftRecord) => Partial<Pick<DraftRecord, 'source' | 'format' | 'status' | 'policyId' | 'publishedHash'>> & {
      bumpRevision?: boolean;
      review?: { action: ReviewRecord['action']; comment?: string };
    },
    extra?: (tx: Queryable, before: DraftRecord) => Promise<void>,
  ): Promise<DraftRecord | undefined> {
    return this.db.transaction(async (tx) => {
      // Locked as read: two instances saving the same draft take turns, so the revision (etag)
      // check below sees the other's save instead of both passing it.
      const before = await this.draft(id, tx, true);
      if (!before) return undefined;
      check(before);
      const c = change(before);
      if (extra) await extra(tx, before);
      const editors = c.bumpRevision && !before.editors.includes(actor) ? [...before.editors, actor] : before.editors;
      // Only a save (a new revision) moves updated_at/updated_by: they answer "who saved last".
      await tx.run(
        `UPDATE drafts SET source = ?, format = ?, status = ?, policy_id = ?, published_hash = ?, revision = ?,
           editors = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
        [
          c.source ?? before.source,
          c.format ?? before.format,
          c.status ?? before.status,
          (c.policyId ?? before.policyId) || null,
          (c.publishedHash ?? before.publishedHash) || null,
          before.revision + (c.bumpRevision ? 1 : 0),
          JSON.stringify(editors),
          c.bumpRevision ? this.now() : before.updatedAt,
          c.bumpRevision ? actor : before.updatedBy,
          id,
        ],
      );
      if (c.review) {
        await tx.run('INSERT INTO reviews (draft_id, actor, action, comment, revision, at) VALUES (?, ?, ?, ?, ?, ?)', [
          id,
          actor,
          c.review.action,
          c.review.comment ?? null,
          before.revision,
          this.now(),
        ]);
      }
      const after = (await this.draft(id, tx))!;
      await this.audit(tx, { actor, action, target: `draft:${id}`, before: draftSummary(before), after: draftSummary(after) });
      return after;
    });
  }

  async reviews(draftId: number): Promise<ReviewRecord[]> {
    const rows = await this.db.all('SELECT * FROM reviews WHERE draft_id = ? ORDER BY id', [draftId]);
    return rows.map((r) => ({
      id: r.id as number,
      draftId: r.draft_id as number,
      actor: r.actor as string,
      action: r.action as ReviewRecord['action'],
      comment: opt(r.comment as string | null),
      revision: r.revision as number,
      at: r.at as string,
    }));
  }

  // ---- decisions -------------------------------------------------------------------------------

  /**
   * Commits decisions; with `link`, as one batch of the decision log's chain (./ledger.ts): the
   * rows name the batch, and the batch row (hash over the rows' digests and the previous batch's
   * hash) is written in the same transaction. Returns the batch's hash.
   */
  async insertDecisions(records: DecisionInsert[], link?: LedgerLink): Promise<string | undefined> {
    if (records.length === 0) return undefined;
    // Many rows per statement. Columns that rows of one request share (time, caller, policy, as-of
    // date, masked names, draft, texts, reporting client) are bound once as ?1..?10 and referred to
    // by number in every row; a row binds only its id, facts, decision and subject (binding runs on
    // the main thread): 6 parameters a row instead of 18 (with the subject key and kept personal
    // paths), at most 12 + 6 × 1000 a statement, under
    // SQLite's 32,766.
    const ROWS = 1000;
    // Texts not yet known to be stored go in with the first rows that refer to them.
    const newTexts = new Map<string, DecisionTexts>();
    for (const d of records) if (d.texts && !this.storedTexts.has(d.texts.id)) newTexts.set(d.texts.id, d.texts);
    const textParams: SqlValue[] = [];
    for (const t of newTexts.values()) textParams.push(t.id, JSON.stringify(t));
    // Serialised before BEGIN: the writer (the decision log's bottleneck) is not held while JSON is built.
    const statements: { sql: string; params: SqlValue[] }[] = [];
    const groups = new Map<string, { shared: SqlValue[]; rows: DecisionInsert[] }>();
    for (const d of records) {
      const masked = d.masked.length === 0 ? '[]' : JSON.stringify(d.masked);
      const draft = json(d.draft);
      const texts = d.texts?.id ?? null;
      const reportedBy = d.reportedBy ?? null;
      const shared: SqlValue[] = [d.at, d.caller, d.policyId, d.version, d.policyHash, d.asOf, masked, draft, texts, reportedBy, link?.part ?? null, link?.seq ?? null];
      const key = `${d.at}\u0000${d.caller}\u0000${d.policyId}\u0000${d.version}\u0000${d.policyHash}\u0000${d.asOf}\u0000${masked}\u0000${draft}\u0000${texts}\u0000${reportedBy}`;
      const g = groups.get(key);
      if (g) g.rows.push(d);
      else groups.set(key, { shared, rows: [d] });
    }
    // The chain's view of each row: exactly the values bound, so a read gives the same digest.
    const ledgerRows: LedgerRow[] = [];
    for (const { shared, rows } of groups.values()) {
      for (let i = 0; i < rows.length; i += ROWS) {
        const part = rows.slice(i, i + ROWS);
        const params: SqlValue[] = shared.slice();
        const values: string[] = [];
        for (const d of part) {
          const n = params.length;
          const facts = d.factsJson ?? JSON.stringify(d.facts);
          const decision = d.decisionJson ?? JSON.stringify(d.decision);
          const personal = d.personal?.length ? JSON.stringify(d.personal) : null;
          params.push(d.id, facts, decision, d.subject ?? null, d.subjectKey ?? null, personal);
          values.push(`(?${n + 1}, ?1, ?2, ?3, ?4, ?5, ?6, ?${n + 2}, ?7, ?${n + 3}, ?8, ?9, ?${n + 4}, ?10, ?11, ?12, ?${n + 5}, ?${n + 6})`);
          if (link) {
            const [at, caller, policyId, version, policyHash, asOf, masked, draft, texts, reportedBy] = shared as [string, string, string, string, string, string, string, string | null, string | null, string | null];
            ledgerRows.push([d.id, at, caller, policyId, version, policyHash, asOf, facts, masked, decision, draft, texts, d.subject ?? null, reportedBy, ...privacyColumns(d.subjectKey ?? null, personal)]);
          }
        }
        statements.push({
          sql: `INSERT INTO decisions (id, at, caller, policy_id, version, policy_hash, as_of, facts, masked, decision, draft, texts, subject, reported_by, ledger, ledger_seq, subject_key, personal) VALUES ${values.join(', ')}`,
          params,
        });
      }
    }
    let hash: string | undefined;
    if (link) {
      // Hashed before BEGIN too: one digest a row and one a batch, no wait on any other batch.
      ledgerRows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const digests = ledgerRows.map((r) => rowDigest(link.alg, r));
      hash = batchHash(link, digests);
      statements.push({
        sql: 'INSERT INTO decision_batches (part, seq, alg, at, count, entries, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        params: [link.part, link.seq, link.alg, this.now(), digests.length, entriesOf(ledgerRows.map((r) => r[0]), digests), link.prev, hash],
      });
    }
    // The usual case, one statement: atomic on its own (autocommit), and one round trip to
    // SQLite's thread instead of three (in a transaction, BEGIN, INSERT and COMMIT each wait for
    // the main thread, busy deciding, to hand over the next step).
    if (newTexts.size === 0 && statements.length === 1) {
      await this.db.run(statements[0]!.sql, statements[0]!.params);
      return hash;
    }
    // Rows and batch row in one transaction. (Sending them to SQLite as one script with values
    // inlined measured slower: SQLite parses long literals more slowly than it binds them.)
    await this.db.transaction(async (tx) => {
      if (newTexts.size > 0) {
        await tx.run(`INSERT INTO decision_texts (id, texts) VALUES ${[...newTexts.keys()].map(() => '(?, ?)').join(', ')} ON CONFLICT (id) DO NOTHING`, textParams);
      }
      for (const st of statements) await tx.run(st.sql, st.params);
      if (link?.opens) {
        // The trail (itself chained) names every partition, so a partition deleted whole is noticed.
        await this.audit(tx, {
          actor: 'system',
          action: 'decision.partition-open',
          target: `decisions:${link.part}`,
          after: { part: link.part, alg: link.alg, ...(link.opens.previous ? { previous: link.opens.previous } : {}) },
        });
      }
    });
    for (const id of newTexts.keys()) this.storedTexts.add(id);
    return hash;
  }

  /** Records in the audit trail where a writer's partition ended (at shutdown), so its tail cannot be cut unnoticed. */
  async sealPartition(head: LedgerHead): Promise<void> {
    await this.db.transaction((tx) => this.audit(tx, { actor: 'system', action: 'decision.partition-seal', target: `decisions:${head.part}`, after: head }));
  }

  /**
   * Whether the stored decision `id` is as its batch committed it (its whole batch is rehashed);
   * `cache` keeps each batch's answer across the decisions of one request.
   */
  async decisionIntegrity(id: string, cache?: Map<string, Integrity>): Promise<Integrity> {
    const r = await this.db.get<{ ledger: string | null; ledger_seq: number | null }>('SELECT ledger, ledger_seq FROM decisions WHERE id = ?', [id]);
    if (!r || r.ledger === null || r.ledger_seq === null) return 'unchained';
    const key = `${r.ledger}#${r.ledger_seq}`;
    const known = cache?.get(key);
    if (known) return known;
    const b = await this.db.get<BatchRow>('SELECT * FROM decision_batches WHERE part = ? AND seq = ?', [r.ledger, Number(r.ledger_seq)]);
    const answer: Integrity = !b ? 'unchained' : (await this.checkBatch(b)).length === 0 ? 'intact' : 'tampered';
    cache?.set(key, answer);
    return answer;
  }

  /** A batch's rows against its entries and hash: what is edited, deleted or inserted in it. */
  private async checkBatch(b: BatchRow, seen?: Map<string, number>): Promise<LedgerProblem[]> {
    const alg = b.alg as LedgerAlg;
    const seq = Number(b.seq);
    const listed = parseEntries(b.entries);
    const problems: LedgerProblem[] = [];
    if (!ledgerAlgAvailable(alg)) throw new Error(`hash ${alg} is not available in this Node (OpenSSL) build`);
    // Rows of a batch lie within its id range (ids are time-ordered); other writers' rows may interleave.
    const rows =
      listed.length === 0
        ? []
        : await this.db.all('SELECT * FROM decisions WHERE id >= ? AND id <= ? AND ledger = ? AND ledger_seq = ? ORDER BY id', [listed[0]!.id, listed[listed.length - 1]!.id, b.part, seq]);
    seen?.set(`${b.part}#${seq}`, rows.length);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    const digests: string[] = [];
    for (const e of listed) {
      const r = byId.get(e.id);
      if (!r) {
        problems.push({ kind: 'deleted', part: b.part, seq, decisionId: e.id });
        continue;
      }
      byId.delete(e.id);
      const d = rowDigest(alg, ledgerRowOf(r));
      digests.push(d);
      if (prefixOf(d) !== e.prefix) problems.push({ kind: 'edited', part: b.part, seq, decisionId: e.id, expected: e.prefix, found: prefixOf(d) });
    }
    for (const id of byId.keys()) problems.push({ kind: 'inserted', part: b.part, seq, decisionId: id });
    if (problems.length === 0 && (listed.length !== Number(b.count) || batchHash({ part: b.part, seq, alg, prev: b.prev_hash }, digests) !== b.hash)) {
      problems.push({ kind: 'batch-edited', part: b.part, seq, expected: b.hash });
    }
    return problems;
  }

  /** The last batch of a partition (a writer continuing one after a restart, the legacy backfill). */
  async ledgerHead(part: string, tx: Queryable = this.db): Promise<LedgerHead | undefined> {
    const r = await tx.get<{ seq: number; hash: string }>('SELECT seq, hash FROM decision_batches WHERE part = ? ORDER BY seq DESC LIMIT 1', [part]);
    if (!r) return undefined;
    const n = await tx.get<{ n: number }>('SELECT COALESCE(sum(count), 0) AS n FROM decision_batches WHERE part = ?', [part]);
    return { part, seq: Number(r.seq), hash: r.hash, count: Number(n?.n ?? 0) };
  }

  /**
   * Chains decisions logged before the chain existed (an older data folder): in id order, into
   * `<day>/legacy` partitions, a batch per 1000 rows, at the first start of this version. Under a
   * lock, so instances starting together do it once.
   */
  private async chainDecisions(): Promise<void> {
    // Only rows the migration marked: a row without a batch written later went past the log, and verify names it.
    if (!(await this.db.get('SELECT id FROM decisions WHERE ledger = ? LIMIT 1', [LEDGER_PENDING]))) return;
    await this.db.withLock(LEDGER_LOCK, async () => {
      for (;;) {
        const rows = await this.db.all('SELECT * FROM decisions WHERE ledger = ? ORDER BY id LIMIT 1000', [LEDGER_PENDING]);
        if (rows.length === 0) return;
        const byPart = new Map<string, Record<string, unknown>[]>();
        for (const r of rows) {
          const part = `${String(r.at).slice(0, 10)}/legacy`;
          byPart.set(part, [...(byPart.get(part) ?? []), r]);
        }
        await this.db.transaction(async (tx) => {
          for (const [part, list] of byPart) {
            const head = await this.ledgerHead(part, tx);
            const link = { part, seq: (head?.seq ?? 0) + 1, prev: head?.hash ?? LEDGER_GENESIS, alg: 'sha256' as const };
            const digests = list.map((r) => rowDigest(link.alg, ledgerRowOf(r)));
            const hash = batchHash(link, digests);
            const ids = list.map((r) => r.id as string);
            await tx.run(`UPDATE decisions SET ledger = ?, ledger_seq = ? WHERE id IN (${ids.map(() => '?').join(', ')})`, [part, link.seq, ...ids]);
            await tx.run('INSERT INTO decision_batches (part, seq, alg, at, count, entries, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
              part, link.seq, link.alg, this.now(), ids.length, entriesOf(ids, digests), link.prev, hash,
            ]);
            if (!head) await this.audit(tx, { actor: 'system', action: 'decision.partition-open', target: `decisions:${part}`, after: { part, alg: link.alg } });
          }
        });
      }
    });
  }

  /** What the audit trail says of the log's partitions (opened, sealed, dropped with their checkpoints). */
  private async partitionClaims(): Promise<PartitionClaims> {
    const claims: PartitionClaims = { opened: new Set(), sealed: new Map(), dropped: new Map() };
    const rows = await this.db.all<{ action: string; after: string | null }>(
      "SELECT action, after FROM audit WHERE action IN ('decision.partition-open', 'decision.partition-seal', 'decision.retention-sweep') ORDER BY id",
    );
    for (const r of rows) {
      const after = r.after ? (JSON.parse(r.after) as Record<string, unknown>) : {};
      if (r.action === 'decision.partition-open') {
        claims.opened.add(after.part as string);
        const prev = after.previous as LedgerHead | undefined;
        if (prev) claims.sealed.set(prev.part, prev);
      } else if (r.action === 'decision.partition-seal') claims.sealed.set(after.part as string, after as unknown as LedgerHead);
      else for (const c of (after.checkpoints as LedgerHead[] | undefined) ?? []) claims.dropped.set(c.part, c);
    }
    return claims;
  }

  /**
   * Verifies the decision log: every partition's batches in sequence, each batch against its rows
   * (naming edited, deleted and inserted decisions), rows no batch lists, and partitions against
   * what the audit trail recorded (opened, sealed, dropped at a checkpoint).
   */
  async verifyDecisions(onProgress?: (checked: number) => void): Promise<{ decisions: number; batches: number; partitions: number; checkpoints: number; problems: LedgerProblem[] }> {
    const problems: LedgerProblem[] = [];
    const claims = await this.partitionClaims();
    const parts = (await this.db.all<{ part: string }>('SELECT DISTINCT part FROM decision_batches ORDER BY part')).map((r) => r.part);
    const checkpoints = new Map(
      (await this.db.all<{ part: string; last_seq: number; last_hash: string; count: number }>('SELECT * FROM decision_checkpoints')).map((c) => [
        c.part,
        { part: c.part, seq: Number(c.last_seq), hash: c.last_hash, count: Number(c.count) },
      ]),
    );
    let decisions = 0;
    let batches = 0;
    // Rows each batch's id range held, to find rows that claim a batch from outside its range.
    const seen = new Map<string, number>();
    for (const part of parts) {
      let prev = LEDGER_GENESIS;
      let expectSeq = 1;
      let count = 0;
      let after = 0;
      for (;;) {
        const rows = await this.db.all<BatchRow>('SELECT * FROM decision_batches WHERE part = ? AND seq > ? ORDER BY seq LIMIT 200', [part, after]);
        if (rows.length === 0) break;
        for (const b of rows) {
          const seq = Number(b.seq);
          if (seq !== expectSeq) problems.push({ kind: 'batch-missing', part, seq: expectSeq, found: String(seq) });
          else if (b.prev_hash !== prev) problems.push({ kind: 'batch-edited', part, seq, expected: prev, found: b.prev_hash });
          problems.push(...(await this.checkBatch(b, seen)));
          prev = b.hash;
          expectSeq = seq + 1;
          count += Number(b.count);
          batches++;
          after = seq;
        }
        onProgress?.(batches);
      }
      decisions += count;
      const sealed = claims.sealed.get(part);
      if (sealed && (expectSeq - 1 < sealed.seq || (expectSeq - 1 === sealed.seq && prev !== sealed.hash))) {
        problems.push({ kind: 'truncated', part, seq: sealed.seq, expected: sealed.hash, found: expectSeq - 1 === sealed.seq ? prev : `seq ${expectSeq - 1}` });
      }
    }
    const present = new Set(parts);
    for (const part of claims.opened) {
      if (!present.has(part) && !checkpoints.has(part)) problems.push({ kind: 'partition-missing', part });
    }
    for (const [part, cp] of checkpoints) {
      const said = claims.dropped.get(part);
      if (!said || said.hash !== cp.hash || said.seq !== cp.seq || said.count !== cp.count) {
        problems.push({ kind: 'checkpoint-mismatch', part, expected: said?.hash ?? '(no retention sweep recorded it)', found: cp.hash });
      }
    }
    // Rows that no batch holds: written past the log, or moved to a batch or partition that is gone.
    const stray = await this.db.all<{ id: string; ledger: string | null }>(
      `SELECT d.id, d.ledger FROM decisions d LEFT JOIN decision_batches b ON b.part = d.ledger AND b.seq = d.ledger_seq WHERE b.part IS NULL ORDER BY d.id LIMIT 1000`,
    );
    for (const r of stray) problems.push({ kind: 'inserted', ...(r.ledger ? { part: r.ledger } : {}), decisionId: r.id });
    const claimed = await this.db.all<{ ledger: string; ledger_seq: number; n: number }>(
      'SELECT ledger, ledger_seq, count(*) AS n FROM decisions WHERE ledger IS NOT NULL GROUP BY ledger, ledger_seq',
    );
    for (const c of claimed) {
      const inRange = seen.get(`${c.ledger}#${c.ledger_seq}`);
      if (inRange === undefined || Number(c.n) <= inRange) continue;
      const b = (await this.db.get<{ entries: string }>('SELECT entries FROM decision_batches WHERE part = ? AND seq = ?', [c.ledger, Number(c.ledger_seq)]))!;
      const listed = parseEntries(b.entries);
      const [from, to] = [listed[0]?.id ?? '', listed.at(-1)?.id ?? ''];
      for (const r of await this.db.all<{ id: string }>('SELECT id FROM decisions WHERE ledger = ? AND ledger_seq = ? AND (id < ? OR id > ?)', [c.ledger, Number(c.ledger_seq), from, to])) {
        problems.push({ kind: 'inserted', part: c.ledger, seq: Number(c.ledger_seq), decisionId: r.id });
      }
    }
    return { decisions, batches, partitions: parts.length, checkpoints: checkpoints.size, problems };
  }

  /** Texts by id, parsed once; they never change (the id is their hash). */
  private async textsById(id: string): Promise<DecisionTexts> {
    let t = this.textsCache.get(id);
    if (t) return t;
    const r = await this.db.get<{ texts: string }>('SELECT texts FROM decision_texts WHERE id = ?', [id]);
    // The foreign key keeps every row's texts; a missing one means the file was edited by hand.
    if (!r) throw new Error(`decision texts ${id} are missing from the store`);
    t = JSON.parse(r.texts) as DecisionTexts;
    if (this.textsCache.size >= 64) this.textsCache.delete(this.textsCache.keys().next().value!);
    this.textsCache.set(id, t);
    return t;
  }

  async decision(id: string): Promise<DecisionRecord | undefined> {
    const r = await this.db.get('SELECT * FROM decisions WHERE id = ?', [id]);
    return r ? this.decisionRow(r) : undefined;
  }

  /** Logged decisions, newest first, by the indexed filters; `before` continues after a page. */
  async queryDecisions(q: DecisionQuery): Promise<DecisionRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.policy) (where.push('policy_id = ?'), params.push(q.policy));
    if (q.version) (where.push('version = ?'), params.push(q.version));
    if (q.caller) (where.push('caller = ?'), params.push(q.caller));
    if (q.subject && q.subjectKeys?.length) {
      // Two indexed lookups, not a scan: `subject = ? OR subject_key IN (…)`.
      where.push(`(subject = ? OR subject_key IN (${q.subjectKeys.map(() => '?').join(', ')}))`);
      params.push(q.subject, ...q.subjectKeys);
    } else if (q.subject) (where.push('subject = ?'), params.push(q.subject));
    if (q.from) (where.push('at >= ?'), params.push(q.from));
    if (q.to) (where.push('at <= ?'), params.push(q.to));
    if (q.before) (where.push('id < ?'), params.push(q.before));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = await this.db.all(`SELECT * FROM decisions ${clause} ORDER BY id DESC LIMIT ?`, [...params, q.limit]);
    const out: DecisionRecord[] = [];
    for (const r of rows) out.push(await this.decisionRow(r));
    return out;
  }

  private async decisionRow(r: Record<string, unknown>): Promise<DecisionRecord> {
    return {
      id: r.id as string,
      at: r.at as string,
      caller: r.caller as string,
      policyId: r.policy_id as string,
      version: r.version as string,
      policyHash: r.policy_hash as string,
      asOf: r.as_of as string,
      facts: parse(r.facts),
      masked: parse(r.masked) as string[],
      decision: r.texts ? expandDecision(parse(r.decision) as LeanDecision, await this.textsById(r.texts as string)) : parse(r.decision),
      ...(r.draft ? { draft: parse(r.draft) as DraftMarker } : {}),
      ...(r.subject !== null && r.subject !== undefined ? { subject: r.subject as string } : {}),
      ...(r.reported_by !== null && r.reported_by !== undefined ? { reportedBy: r.reported_by as string } : {}),
      ...(r.subject_key !== null && r.subject_key !== undefined ? { subjectKey: r.subject_key as string } : {}),
      ...(r.personal !== null && r.personal !== undefined ? { personal: parse(r.personal) as string[] } : {}),
    };
  }

  /**
   * Retention sweep: drops whole partitions of days before `before`'s day (ISO time), so nothing
   * younger than `before` goes, keeping each one's last hash as a checkpoint (also written in the
   * audit entry, which is chained); returns how many decisions were deleted.
   */
  async deleteDecisionsBefore(before: string): Promise<number> {
    const day = before.slice(0, 10);
    return this.db.transaction(async (tx) => {
      // Instances sweeping at once on PostgreSQL take turns: one drops, the next finds nothing.
      if (this.db.dialect === 'postgres') await tx.get('SELECT pg_advisory_xact_lock(?)', [LEDGER_LOCK]);
      const parts = await tx.all<{ part: string; seq: number; n: number }>(
        'SELECT part, max(seq) AS seq, sum(count) AS n FROM decision_batches WHERE part < ? GROUP BY part ORDER BY part',
        [day],
      );
      const checkpoints: LedgerHead[] = [];
      let changes = 0;
      for (const p of parts) {
        // A partition's rows were all made before its day ended (the day is the commit's), so older than `before`.
        if (dayOfPartition(p.part) >= day) continue;
        const first = await tx.get<{ entries: string }>('SELECT entries FROM decision_batches WHERE part = ? ORDER BY seq LIMIT 1', [p.part]);
        const last = (await tx.get<{ entries: string; hash: string; alg: string }>('SELECT entries, hash, alg FROM decision_batches WHERE part = ? AND seq = ?', [p.part, Number(p.seq)]))!;
        const from = parseEntries(first?.entries ?? '')[0]?.id ?? '';
        const to = parseEntries(last.entries).at(-1)?.id ?? '';
        // By id range (the primary key) rather than a scan: ids are time-ordered.
        changes += (await tx.run('DELETE FROM decisions WHERE id >= ? AND id <= ? AND ledger = ?', [from, to, p.part])).changes;
        await tx.run('DELETE FROM decision_batches WHERE part = ?', [p.part]);
        const cp: LedgerHead = { part: p.part, seq: Number(p.seq), hash: last.hash, count: Number(p.n) };
        await tx.run('INSERT INTO decision_checkpoints (part, alg, last_seq, last_hash, count, dropped_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (part) DO NOTHING', [
          cp.part,
          last.alg,
          cp.seq,
          cp.hash,
          cp.count,
          this.now(),
        ]);
        checkpoints.push(cp);
      }
      // Rows no batch holds (none once the store has opened and chained older rows) go by time.
      changes += (await tx.run('DELETE FROM decisions WHERE ledger IS NULL AND at < ?', [before])).changes;
      if (changes > 0 || checkpoints.length > 0) {
        await this.audit(tx, { actor: 'system', action: 'decision.retention-sweep', target: 'decisions', after: { before, deleted: changes, checkpoints } });
      }
      return changes;
    });
  }

  async countDecisions(): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT count(*) AS n FROM decisions'))!.n;
  }

  // ---- jobs ------------------------------------------------------------------------------------

  /**
   * A queued job and, with `input`, what any instance needs to run it (the upload and both
   * resolved sides): written together, then announced so an idle instance claims it.
   */
  async createJob(j: { id: string; kind: string; createdBy: string; params: unknown; total: number; input?: JobInput }): Promise<JobRecord> {
    const rec = await this.db.transaction(async (tx) => {
      const at = this.now();
      await tx.run(
        `INSERT INTO jobs (id, kind, created_by, created_at, status, params, total, done) VALUES (?, ?, ?, ?, 'queued', ?, ?, 0)`,
        [j.id, j.kind, j.createdBy, at, JSON.stringify(j.params), j.total],
      );
      if (j.input) {
        await tx.run('INSERT INTO job_inputs (job_id, format, bytes, baseline, candidate, as_of) VALUES (?, ?, ?, ?, ?, ?)', [
          j.id,
          j.input.format,
          j.input.bytes,
          JSON.stringify(j.input.baseline),
          JSON.stringify(j.input.candidate),
          j.input.asOf,
        ]);
      }
      await this.audit(tx, { actor: j.createdBy, action: `job.create`, target: `job:${j.id}`, after: { kind: j.kind, params: j.params } });
      return (await this.jobIn(tx, j.id))!;
    });
    await this.notify('jobs', j.id);
    return rec;
  }

  async jobInput(id: string): Promise<JobInput | undefined> {
    const r = await this.db.get<{ format: string; bytes: Buffer | Uint8Array; baseline: string; candidate: string; as_of: string }>(
      'SELECT * FROM job_inputs WHERE job_id = ?',
      [id],
    );
    if (!r) return undefined;
    return { format: r.format, bytes: Buffer.from(r.bytes), baseline: JSON.parse(r.baseline), candidate: JSON.parse(r.candidate), asOf: r.as_of };
  }

  /**
   * Claims the oldest job that is queued, or running with a heartbeat older than `staleBefore`
   * (its instance died), for `runner`: one statement, so two instances never claim the same job
   * (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer). A job taken over starts
   * again from its first record: its changed records so far are deleted.
   */
  async claimJob(runner: string, staleBefore: string): Promise<JobRecord | undefined> {
    const skip = this.db.dialect === 'postgres' ? ' FOR UPDATE SKIP LOCKED' : '';
    return this.db.transaction(async (tx) => {
      const r = await tx.get<{ id: string; status: string }>(
        `SELECT j.id, j.status FROM jobs j JOIN job_inputs i ON i.job_id = j.id
          WHERE j.status = 'queued' OR (j.status = 'running' AND (j.heartbeat_at IS NULL OR j.heartbeat_at < ?))
          ORDER BY j.created_at LIMIT 1${skip}`,
        [staleBefore],
      );
      if (!r) return undefined;
      const at = this.now();
      await tx.run(`UPDATE jobs SET status = 'running', claimed_by = ?, heartbeat_at = ?, attempts = attempts + 1, done = 0 WHERE id = ?`, [runner, at, r.id]);
      if (r.status === 'running') {
        await tx.run('DELETE FROM job_changes WHERE job_id = ?', [r.id]);
        await this.audit(tx, { actor: 'system', action: 'job.takeover', target: `job:${r.id}`, after: { runner } });
      }
      return (await this.jobIn(tx, r.id))!;
    });
  }

  /**
   * Marks a job done with its result — unless a cancel was acknowledged first, then it is
   * cancelled (its result kept): the two writes are ordered by the database, so a caller whose
   * cancel was answered 200 never sees the job end as done.
   */
  async finishJob(id: string, total: number, result: unknown, reportBasis?: unknown): Promise<'done' | 'cancelled'> {
    return this.db.transaction(async (tx) => {
      const at = this.now();
      if (reportBasis !== undefined) {
        // A job run again after a take-over finishes once more: the later basis wins.
        await tx.run('DELETE FROM job_reports WHERE job_id = ?', [id]);
        await tx.run('INSERT INTO job_reports (job_id, basis) VALUES (?, ?)', [id, JSON.stringify(reportBasis)]);
      }
      const { changes } = await tx.run(
        `UPDATE jobs SET status = 'done', done = ?, result = ?, finished_at = ? WHERE id = ? AND cancel_requested = 0`,
        [total, JSON.stringify(result), at, id],
      );
      if (changes === 0) await tx.run(`UPDATE jobs SET status = 'cancelled', done = ?, result = ?, finished_at = ? WHERE id = ?`, [total, JSON.stringify(result), at, id]);
      await tx.run('DELETE FROM job_inputs WHERE job_id = ?', [id]);
      return changes === 0 ? 'cancelled' : 'done';
    });
  }

  /** Hands a job back to the queue (its instance is shutting down): another instance starts it again. */
  async releaseJob(id: string, runner: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { changes } = await tx.run(
        `UPDATE jobs SET status = 'queued', claimed_by = NULL, heartbeat_at = NULL, done = 0 WHERE id = ? AND claimed_by = ? AND status = 'running'`,
        [id, runner],
      );
      if (changes > 0) await tx.run('DELETE FROM job_changes WHERE job_id = ?', [id]);
    });
    await this.notify('jobs', id);
  }

  /** The runner is alive; answers whether someone asked to cancel the job. */
  async heartbeatJob(id: string, runner: string): Promise<{ cancelRequested: boolean; stillMine: boolean }> {
    await this.db.run('UPDATE jobs SET heartbeat_at = ? WHERE id = ? AND claimed_by = ?', [this.now(), id, runner]);
    const r = await this.db.get<{ cancel_requested: number; claimed_by: string | null; status: string }>(
      'SELECT cancel_requested, claimed_by, status FROM jobs WHERE id = ?',
      [id],
    );
    return { cancelRequested: Number(r?.cancel_requested) === 1, stillMine: r?.claimed_by === runner && r?.status === 'running' };
  }

  /**
   * Asks for a job to stop, whichever instance runs it: a queued job is cancelled at once, a
   * running one is flagged and its runner stops at its next heartbeat. False when it had ended.
   */
  async requestCancel(id: string, actor: string): Promise<boolean> {
    const ok = await this.db.transaction(async (tx) => {
      const r = await tx.get<{ status: string }>(`SELECT status FROM jobs WHERE id = ?${this.forUpdate}`, [id]);
      if (!r || (r.status !== 'queued' && r.status !== 'running')) return false;
      if (r.status === 'queued') {
        await tx.run(`UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = ? WHERE id = ?`, [this.now(), id]);
      } else await tx.run('UPDATE jobs SET cancel_requested = 1 WHERE id = ?', [id]);
      await this.audit(tx, { actor, action: 'job.cancel', target: `job:${id}` });
      return true;
    });
    if (ok) await this.notify('jobs', id);
    return ok;
  }

  private async jobIn(tx: Queryable, id: string): Promise<JobRecord | undefined> {
    const r = await tx.get('SELECT * FROM jobs WHERE id = ?', [id]);
    if (!r) return undefined;
    return {
      id: r.id as string,
      kind: r.kind as string,
      createdBy: r.created_by as string,
      createdAt: r.created_at as string,
      status: r.status as JobStatus,
      params: parse(r.params),
      total: r.total as number,
      done: r.done as number,
      result: parse(r.result),
      error: parse(r.error),
      finishedAt: opt(r.finished_at as string | null),
      runner: opt(r.claimed_by as string | null),
      attempts: Number(r.attempts ?? 0),
    };
  }

  job(id: string): Promise<JobRecord | undefined> {
    return this.jobIn(this.db, id);
  }

  async updateJob(
    id: string,
    u: { status?: JobStatus; done?: number; result?: unknown; error?: unknown; changes?: JobChange[]; actor?: string },
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      if (u.status) (sets.push('status = ?'), params.push(u.status));
      if (u.done !== undefined) (sets.push('done = ?'), params.push(u.done));
      if (u.result !== undefined) (sets.push('result = ?'), params.push(JSON.stringify(u.result)));
      if (u.error !== undefined) (sets.push('error = ?'), params.push(JSON.stringify(u.error)));
      if (u.status && u.status !== 'running' && u.status !== 'queued') (sets.push('finished_at = ?'), params.push(this.now()));
      if (sets.length) await tx.run(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
      for (const c of u.changes ?? []) {
        await tx.run('INSERT INTO job_changes (job_id, seq, line, record, baseline, candidate, columns) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          id,
          c.seq,
          c.line,
          JSON.stringify(c.record),
          JSON.stringify(c.baseline),
          JSON.stringify(c.candidate),
          c.columns ? JSON.stringify(c.columns) : null,
        ]);
      }
      if (u.status === 'cancelled' && u.actor) {
        await this.audit(tx, { actor: u.actor, action: 'job.cancel', target: `job:${id}` });
      }
      // Finished: the upload is no longer needed by any instance.
      if (u.status && u.status !== 'running' && u.status !== 'queued') await tx.run('DELETE FROM job_inputs WHERE job_id = ?', [id]);
    });
  }

  /**
   * Jobs left queued or running without a stored input (made before inputs were kept) cannot be
   * run again: mark them failed. Jobs with their input are taken over instead (claimJob).
   */
  async failInterruptedJobs(): Promise<number> {
    const { changes } = await this.db.run(
      `UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE status IN ('queued','running')
         AND NOT EXISTS (SELECT 1 FROM job_inputs i WHERE i.job_id = jobs.id)`,
      [JSON.stringify({ code: 'job.interrupted', message: msg('job.interrupted') }), this.now()],
    );
    return changes;
  }

  async jobChanges(id: string, page: number, pageSize: number, filter: ChangeFilter = {}): Promise<{ items: JobChange[]; total: number }> {
    const { clause, params } = changesWhere(this.db.dialect, id, filter);
    const total = (await this.db.get<{ n: number }>(`SELECT count(*) AS n FROM job_changes WHERE ${clause}`, params))!.n;
    const rows = await this.db.all(`SELECT * FROM job_changes WHERE ${clause} ORDER BY seq LIMIT ? OFFSET ?`, [
      ...params,
      pageSize,
      (page - 1) * pageSize,
    ]);
    return { total, items: rows.map(changeRow) };
  }

  /** What a finished job kept for its impact report (server/report/tally.ts), if it kept any. */
  async jobReportBasis(id: string): Promise<unknown> {
    const r = await this.db.get<{ basis: string }>('SELECT basis FROM job_reports WHERE job_id = ?', [id]);
    return r ? JSON.parse(r.basis) : undefined;
  }

  /**
   * Attaches a finished simulation to a draft, with its audit row in the same transaction. False
   * when it was attached already (the first attachment stands).
   */
  async attachSimulation(a: Omit<DraftSimulation, 'attachedAt'>): Promise<DraftSimulation | undefined> {
    return this.db.transaction(async (tx) => {
      const had = await tx.get('SELECT 1 AS x FROM draft_simulations WHERE draft_id = ? AND job_id = ?', [a.draftId, a.jobId]);
      if (had) return undefined;
      const at = this.now();
      await tx.run('INSERT INTO draft_simulations (draft_id, job_id, by_column, attached_by, attached_at, revision) VALUES (?, ?, ?, ?, ?, ?)', [
        a.draftId,
        a.jobId,
        a.by ?? null,
        a.attachedBy,
        at,
        a.revision,
      ]);
      const rec: DraftSimulation = { ...a, attachedAt: at };
      await this.audit(tx, { actor: a.attachedBy, action: 'draft.attach-simulation', target: `draft:${a.draftId}`, after: { job: a.jobId, by: a.by ?? null, revision: a.revision } });
      return rec;
    });
  }

  /** The simulations attached to a draft, oldest first. */
  async draftSimulations(draftId: number): Promise<DraftSimulation[]> {
    const rows = await this.db.all('SELECT * FROM draft_simulations WHERE draft_id = ? ORDER BY attached_at, job_id', [draftId]);
    return rows.map((r) => ({
      draftId: Number(r.draft_id),
      jobId: r.job_id as string,
      ...(r.by_column ? { by: r.by_column as string } : {}),
      attachedBy: r.attached_by as string,
      attachedAt: r.attached_at as string,
      revision: Number(r.revision),
    }));
  }

  /** Every changed record of a job that passes `filter`, in order, read `chunk` rows at a time. */
  async *iterateJobChanges(id: string, filter: ChangeFilter = {}, chunk = 500): AsyncGenerator<JobChange> {
    const { clause, params } = changesWhere(this.db.dialect, id, filter);
    let after = -1;
    for (;;) {
      const rows = await this.db.all(`SELECT * FROM job_changes WHERE ${clause} AND seq > ? ORDER BY seq LIMIT ?`, [...params, after, chunk]);
      if (rows.length === 0) return;
      for (const r of rows) yield changeRow(r);
      after = rows[rows.length - 1].seq as number;
    }
  }
}

/**
 * Version rows with their provenance: the author of the draft they came from and the last person
 * who approved it (the seed library has no draft: author = published_by, no approver).
 */
const VERSION_SELECT = `SELECT v.*, d.author AS draft_author,
  (SELECT r.actor FROM reviews r WHERE r.draft_id = v.draft_id AND r.action = 'approve' ORDER BY r.id DESC LIMIT 1) AS approved_by
  FROM versions v LEFT JOIN drafts d ON d.id = v.draft_id`;

/**
 * SQL that holds when the side's outcome classes (as jobs.ts counts `byOutcome`) include `kind`,
 * with its parameters.
 */
function sideHasKind(dialect: Dialect, side: string, kind: string): { sql: string; params: SqlValue[] } {
  const j = jsonOps(dialect);
  const invalid = `COALESCE(${j.field(side, 'status')} = 'invalid-facts', FALSE)`;
  const noKinds = `${j.length(side, 'kinds')} = 0`;
  const noUndetermined = `${j.length(side, 'undetermined')} = 0`;
  if (kind === 'invalid-facts') return { sql: `(${invalid})`, params: [] };
  if (kind === 'undetermined') return { sql: `(NOT ${invalid} AND ${noKinds} AND NOT ${noUndetermined})`, params: [] };
  if (kind === 'none') return { sql: `(NOT ${invalid} AND ${noKinds} AND ${noUndetermined})`, params: [] };
  return { sql: j.contains(side, 'kinds'), params: [kind] };
}

/**
 * Looking inside the JSON text columns of job_changes: SQLite's JSON functions, or PostgreSQL's
 * jsonb operators on the column cast to jsonb. A missing array counts as empty on both.
 */
function jsonOps(dialect: Dialect) {
  if (dialect === 'postgres') {
    return {
      field: (col: string, key: string) => `((${col})::jsonb ->> '${key}')`,
      length: (col: string, key: string) => `COALESCE(jsonb_array_length((${col})::jsonb -> '${key}'), 0)`,
      contains: (col: string, key: string) => `COALESCE(((${col})::jsonb -> '${key}') @> jsonb_build_array(?::text), FALSE)`,
    };
  }
  return {
    field: (col: string, key: string) => `json_extract(${col}, '$.${key}')`,
    length: (col: string, key: string) => `COALESCE(json_array_length(${col}, '$.${key}'), 0)`,
    contains: (col: string, key: string) => `EXISTS (SELECT 1 FROM json_each(${col}, '$.${key}') WHERE value = ?)`,
  };
}

/**
 * An audit entry's jurisdiction is that of the object its target names: `policy:<j>/…` its own,
 * `draft:<id>` the policy the draft names now (a draft naming none is everyone's), `job:<id>` the
 * jurisdictions the job remembers (all must be in scope; a job from before remembers none).
 * Entries about anything else (persons, tokens, decision-log partitions) have none and are kept.
 */
function auditScope(dialect: Dialect, scope: string[]): { sql: string; params: SqlValue[] } {
  const params: SqlValue[] = [];
  const policyIn = (col: string) => {
    if (scope.length === 0) return 'FALSE';
    params.push(...scope.map((j) => likePrefix(`${j}/`)));
    return `(${scope.map(() => `${col} LIKE ? ESCAPE '\\'`).join(' OR ')})`;
  };
  const policies = `(target LIKE 'policy:%' AND ${policyIn("substr(target, 8)")})`;
  const drafts = `(target LIKE 'draft:%' AND target IN (SELECT 'draft:' || CAST(id AS TEXT) FROM drafts WHERE policy_id IS NULL OR ${policyIn('policy_id')}))`;
  const [elements, v] =
    dialect === 'postgres'
      ? [`jsonb_array_elements_text(COALESCE((params)::jsonb -> 'jurisdictions', '[]'::jsonb)) AS e(v)`, 'v']
      : [`json_each(params, '$.jurisdictions')`, 'value'];
  const outside = scope.length === 0 ? 'TRUE' : `${v} NOT IN (${scope.map(() => '?').join(', ')})`;
  const jobs = `(target LIKE 'job:%' AND target IN (SELECT 'job:' || id FROM jobs WHERE ${jsonOps(dialect).length('params', 'jurisdictions')} > 0
    AND NOT EXISTS (SELECT 1 FROM ${elements} WHERE ${outside})))`;
  if (scope.length > 0) params.push(...scope);
  const other = `(target NOT LIKE 'policy:%' AND target NOT LIKE 'draft:%' AND target NOT LIKE 'job:%')`;
  return { sql: `(${other} OR ${policies} OR ${drafts} OR ${jobs})`, params };
}

function likePrefix(s: string): string {
  return `${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

function tokenRow(r: Record<string, unknown>): TokenRecord {
  return {
    id: r.id as number,
    name: r.name as string,
    role: r.role as Role,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    revokedAt: opt(r.revoked_at as string | null),
    expiresAt: opt(r.expires_at as string | null | undefined),
  };
}

function versionRow(r: Record<string, unknown>): VersionRecord {
  return {
    hash: r.hash as string,
    policyId: r.policy_id as string,
    version: r.version as string,
    jurisdiction: r.jurisdiction as string,
    title: r.title as string,
    effectiveFrom: r.effective_from as string,
    effectiveUntil: opt(r.effective_until as string | null),
    format: r.format as SourceFormat,
    source: r.source as string,
    ir: JSON.parse(r.ir as string) as PolicyIR,
    publishedAt: r.published_at as string,
    publishedBy: r.published_by as string,
    draftId: opt(r.draft_id as number | null),
    author: (r.draft_author as string | null) ?? (r.published_by as string),
    approvedBy: opt(r.approved_by as string | null),
  };
}

function draftRow(r: Record<string, unknown>): DraftRecord {
  return {
    id: r.id as number,
    policyId: opt(r.policy_id as string | null),
    baseHash: opt(r.base_hash as string | null),
    format: r.format as SourceFormat,
    source: r.source as string,
    revision: r.revision as number,
    status: r.status as DraftStatus,
    author: r.author as string,
    editors: JSON.parse(r.editors as string) as string[],
    createdAt: r.created_at as string,
    updatedAt: r.updated_at as string,
    updatedBy: (r.updated_by as string | null) ?? (r.author as string),
    publishedHash: opt(r.published_hash as string | null),
  };
}

function draftSummary(d: DraftRecord) {
  return { status: d.status, revision: d.revision, policyId: d.policyId, format: d.format, source: d.source };
}

function changeRow(r: Record<string, unknown>): JobChange {
  return {
    seq: r.seq as number,
    line: r.line as number,
    record: parse(r.record),
    baseline: parse(r.baseline),
    candidate: parse(r.candidate),
    ...(r.columns ? { columns: parse(r.columns) as Record<string, string> } : {}),
  };
}

/** The WHERE clause of a job's changed records under `filter`. */
function changesWhere(dialect: Dialect, id: string, filter: ChangeFilter): { clause: string; params: SqlValue[] } {
  const where = ['job_id = ?'];
  const params: SqlValue[] = [id];
  // The sides are stored as JSON (RecordOutcome); the database's JSON functions filter them in
  // place, so a filter narrows every page and the total, not just the rows of one page.
  if (filter.rule) {
    const has = jsonOps(dialect).contains;
    where.push(`(${has('baseline', 'fired')} <> ${has('candidate', 'fired')} OR ${has('baseline', 'undetermined')} <> ${has('candidate', 'undetermined')})`);
    params.push(filter.rule, filter.rule, filter.rule, filter.rule);
  }
  if (filter.kind) {
    const b = sideHasKind(dialect, 'baseline', filter.kind);
    const k = sideHasKind(dialect, 'candidate', filter.kind);
    where.push(`${b.sql} <> ${k.sql}`);
    params.push(...b.params, ...k.params);
  }
  return { clause: where.join(' AND '), params };
}
