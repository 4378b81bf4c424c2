/**
 * Persons and their grants. A person is one normalised identity (`personKey`: NFKC, trimmed,
 * case-folded; unique), holding grants (role × jurisdictions). Tokens are issued to a person.
 * A reviewer or admin grant asked for by an admin is pending until a *different* admin approves
 * it, so one admin cannot mint a second identity to approve their own change. The operator
 * (the CLI, with the store in hand, and the first start) is trusted: what it grants is active.
 */
import { ApiError } from '../errors.ts';
import { PRIVILEGED, widen, type Grant, type Scope } from '../auth/grants.ts';
import { personKey } from '../auth/person.ts';
import type { Queryable } from './sql.ts';
import type { Role, Store, TokenRecord } from './store.ts';

export type PersonStatus = 'pending' | 'active' | 'disabled';

export interface PersonRecord {
  id: number;
  name: string;
  key: string;
  grants: Grant[];
  status: PersonStatus;
  createdAt: string;
  createdBy: string;
  approvedBy?: string;
  approvedAt?: string;
}

/** Who grants: the operator (trusted), or an admin person (privileged grants wait for a second admin). */
export type Issuer = { kind: 'operator'; name: string } | { kind: 'person'; id: number; name: string };

export interface TokenWithPerson {
  token: TokenRecord;
  person: PersonRecord;
}

const PERSON_COLUMNS = 'id, name, key, grants, status, created_at, created_by, approved_by, approved_at';

function personRow(r: Record<string, unknown>): PersonRecord {
  return {
    id: Number(r.id),
    name: r.name as string,
    key: r.key as string,
    grants: JSON.parse(r.grants as string) as Grant[],
    status: r.status as PersonStatus,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    ...(r.approved_by ? { approvedBy: r.approved_by as string } : {}),
    ...(r.approved_at ? { approvedAt: r.approved_at as string } : {}),
  };
}

/** Status follows the grants: a person none of whose grants is active yet is pending. */
function statusOf(grants: Grant[], was: PersonStatus | undefined): PersonStatus {
  if (was === 'disabled') return 'disabled';
  if (was === 'active') return 'active';
  return grants.some((g) => g.status === 'active') ? 'active' : 'pending';
}

/** Admin grants are always over every jurisdiction: administering is not per province. */
function normaliseScope(role: Role, scope: Scope): Scope {
  return role === 'admin' ? '*' : scope === '*' ? '*' : [...new Set(scope)].sort();
}

function isActiveAdmin(p: PersonRecord): boolean {
  return p.status === 'active' && p.grants.some((g) => g.role === 'admin' && g.status === 'active');
}

export class Persons {
  constructor(private readonly store: Store) {}

  private get forUpdate(): string {
    return this.store.dialect === 'postgres' ? ' FOR UPDATE' : '';
  }

  private now(): string {
    return this.store.clock.now().toISOString();
  }

  async list(): Promise<PersonRecord[]> {
    return (await this.store.db.all(`SELECT ${PERSON_COLUMNS} FROM persons ORDER BY id`)).map(personRow);
  }

  async byId(id: number, tx: Queryable = this.store.db): Promise<PersonRecord | undefined> {
    const r = await tx.get(`SELECT ${PERSON_COLUMNS} FROM persons WHERE id = ?`, [id]);
    return r ? personRow(r) : undefined;
  }

  async byKey(key: string, tx: Queryable = this.store.db): Promise<PersonRecord | undefined> {
    const r = await tx.get(`SELECT ${PERSON_COLUMNS} FROM persons WHERE key = ?`, [key]);
    return r ? personRow(r) : undefined;
  }

  /** Names a person's tokens were issued under (the decision log's `caller` holds those). */
  async tokenNames(personId: number): Promise<string[]> {
    const rows = await this.store.db.all<{ name: string }>('SELECT DISTINCT name FROM tokens WHERE person_id = ?', [personId]);
    return rows.map((r) => r.name);
  }

  /**
   * Gives the person named `name` (made if new) the grant `role` over `scope`, inside `tx`. A
   * privileged grant an admin person asks for is pending; an existing grant of the role is widened
   * (a widened privileged grant is pending again); no `scope` keeps a grant the person holds, or
   * gives a new one over `*`. Audited as `person.create` or `person.grant`.
   */
  async grantIn(tx: Queryable, name: string, role: Role, asked: Scope | undefined, issuer: Issuer): Promise<PersonRecord> {
    const scope = asked ?? '*';
    const key = personKey(name);
    const at = this.now();
    const pending = issuer.kind === 'person' && PRIVILEGED.includes(role);
    const want: Grant = { role, jurisdictions: normaliseScope(role, scope), status: pending ? 'pending' : 'active', ...(pending ? { requestedBy: issuer.id } : {}) };
    // Two admins creating one person at once: the unique key makes one insert win; both go on from the row.
    const inserted = await tx.run(
      `INSERT INTO persons (name, key, grants, status, created_at, created_by) VALUES (?, ?, '[]', 'pending', ?, ?) ON CONFLICT (key) DO NOTHING`,
      [name, key, at, issuer.name],
    );
    const before = personRow((await tx.get(`SELECT ${PERSON_COLUMNS} FROM persons WHERE key = ?${this.forUpdate}`, [key]))!);
    const isNew = inserted.changes > 0;
    const has = before.grants.find((g) => g.role === role);
    if (has && asked === undefined) return before;
    let grants = before.grants;
    if (!has) grants = [...grants, want];
    else {
      const wider = widen(has.jurisdictions, want.jurisdictions);
      const same = wider === '*' ? has.jurisdictions === '*' : has.jurisdictions !== '*' && wider.length === has.jurisdictions.length;
      if (same) return before;
      // Still pending, it keeps who asked first (unless this asker is an admin too): neither may approve it.
      const stillPending = pending || has.status === 'pending';
      const requestedBy = pending ? want.requestedBy : has.requestedBy;
      grants = grants.map((g) =>
        g === has ? { role, jurisdictions: wider, status: stillPending ? ('pending' as const) : ('active' as const), ...(stillPending && requestedBy !== undefined ? { requestedBy } : {}) } : g,
      );
    }
    const status = statusOf(grants, isNew ? undefined : before.status);
    await tx.run('UPDATE persons SET grants = ?, status = ? WHERE id = ?', [JSON.stringify(grants), status, before.id]);
    const after: PersonRecord = { ...before, grants, status };
    await this.store.audit(tx, { actor: issuer.name, action: isNew ? 'person.create' : 'person.grant', target: `person:${before.id}`, before: isNew ? undefined : before, after });
    return after;
  }

  /** Makes a person with grants; 409 when the identity exists already. */
  async create(name: string, grants: { role: Role; jurisdictions: Scope }[], issuer: Issuer): Promise<PersonRecord> {
    return this.store.db.transaction(async (tx) => {
      if (await this.byKey(personKey(name), tx)) {
        throw ApiError.of(409, 'person.exists', [{ path: '/name', message: { zh: `已有此人:${name}`, en: `a person ${name} exists` } }]);
      }
      let p: PersonRecord | undefined;
      for (const g of grants) p = await this.grantIn(tx, name, g.role, g.jurisdictions, issuer);
      return p!;
    });
  }

  /** Adds or widens a grant of an existing person. */
  async grant(id: number, role: Role, scope: Scope, issuer: Issuer): Promise<PersonRecord | undefined> {
    return this.store.db.transaction(async (tx) => {
      const p = await this.byId(id, tx);
      return p ? this.grantIn(tx, p.name, role, scope, issuer) : undefined;
    });
  }

  /**
   * A second admin approves a person's pending grants. Refused (403 person.four-eyes) to the person
   * themselves and to the admin who asked for any of them; 409 person.not-pending when none is.
   */
  async approve(id: number, approver: { id: number; name: string }): Promise<PersonRecord | undefined> {
    return this.store.db.transaction(async (tx) => {
      const r = await tx.get(`SELECT ${PERSON_COLUMNS} FROM persons WHERE id = ?${this.forUpdate}`, [id]);
      if (!r) return undefined;
      const before = personRow(r);
      const waiting = before.grants.filter((g) => g.status === 'pending');
      if (before.status === 'disabled' || waiting.length === 0) throw ApiError.of(409, 'person.not-pending');
      if (before.id === approver.id || waiting.some((g) => g.requestedBy === approver.id)) {
        throw ApiError.of(403, 'person.four-eyes', [
          { path: 'token.name', message: { zh: `${approver.name} 不能批准自己或自己申请的授权`, en: `${approver.name} may not approve themselves or a grant they asked for` } },
        ]);
      }
      const at = this.now();
      const grants = before.grants.map(({ requestedBy: _, ...g }) => ({ ...g, status: 'active' as const }));
      await tx.run("UPDATE persons SET grants = ?, status = 'active', approved_by = ?, approved_at = ? WHERE id = ?", [JSON.stringify(grants), approver.name, at, id]);
      const after: PersonRecord = { ...before, grants, status: 'active', approvedBy: approver.name, approvedAt: at };
      await this.store.audit(tx, { actor: approver.name, action: 'person.approve', target: `person:${id}`, before, after });
      return after;
    });
  }

  /**
   * Disables a person: their tokens stop authenticating (401 auth.disabled) and their grants are
   * kept for an enable. One admin is enough (stopping access needs no second pair of eyes), but
   * the last active admin is not disabled (409 person.last-admin): no one could administer then.
   * 409 person.disabled when the person is disabled already. Audited as `person.disable`.
   */
  async disable(id: number, issuer: Issuer): Promise<PersonRecord | undefined> {
    return this.store.db.transaction(async (tx) => {
      // Every active person locked (PostgreSQL): two admins disabling each other take turns.
      const active = (await tx.all(`SELECT ${PERSON_COLUMNS} FROM persons WHERE status = 'active' ORDER BY id${this.forUpdate}`)).map(personRow);
      const before = active.find((p) => p.id === id) ?? (await this.byId(id, tx));
      if (!before) return undefined;
      if (before.status === 'disabled') throw ApiError.of(409, 'person.disabled', [{ path: 'person.status', message: { zh: `${before.name} 已停用`, en: `${before.name} is disabled already` } }]);
      const admins = active.filter((p) => isActiveAdmin(p));
      if (isActiveAdmin(before) && admins.every((p) => p.id === id)) {
        throw ApiError.of(409, 'person.last-admin', [{ path: 'path.id', message: { zh: `${before.name} 是最后一位有效的管理员`, en: `${before.name} is the last active admin` } }]);
      }
      await tx.run("UPDATE persons SET status = 'disabled' WHERE id = ?", [id]);
      const after: PersonRecord = { ...before, status: 'disabled' };
      await this.store.audit(tx, { actor: issuer.name, action: 'person.disable', target: `person:${id}`, before, after });
      return after;
    });
  }

  /**
   * Enables a disabled person. Their reviewer and admin grants, enabled by an admin person, wait
   * for a second admin's approval as new ones would (else one admin could bring back a privileged
   * identity alone); the operator's enable counts at once. 409 person.not-disabled otherwise.
   * Audited as `person.enable`.
   */
  async enable(id: number, issuer: Issuer): Promise<PersonRecord | undefined> {
    return this.store.db.transaction(async (tx) => {
      const r = await tx.get(`SELECT ${PERSON_COLUMNS} FROM persons WHERE id = ?${this.forUpdate}`, [id]);
      if (!r) return undefined;
      const before = personRow(r);
      if (before.status !== 'disabled') {
        throw ApiError.of(409, 'person.not-disabled', [{ path: 'person.status', message: { zh: `${before.name} 的状态为 ${before.status}`, en: `${before.name} is ${before.status}` } }]);
      }
      const grants: Grant[] =
        issuer.kind === 'person'
          ? before.grants.map(({ requestedBy: _, ...g }) => (PRIVILEGED.includes(g.role) ? { ...g, status: 'pending' as const, requestedBy: issuer.id } : g))
          : before.grants;
      const status = statusOf(grants, undefined);
      await tx.run('UPDATE persons SET grants = ?, status = ? WHERE id = ?', [JSON.stringify(grants), status, id]);
      const after: PersonRecord = { ...before, grants, status };
      await this.store.audit(tx, { actor: issuer.name, action: 'person.enable', target: `person:${id}`, before, after });
      return after;
    });
  }

  /**
   * Issues a token to a person for one of their roles (an active or pending grant); the audit row
   * says who issued it to whom.
   */
  async issueToken(personId: number, role: Role, hash: string, issuer: Issuer, tx?: Queryable): Promise<TokenRecord> {
    const run = async (q: Queryable) => {
      const p = await this.byId(personId, q);
      if (!p) throw ApiError.of(404, 'person.not-found');
      if (!p.grants.some((g) => g.role === role)) {
        throw ApiError.of(409, 'person.no-grant', [{ path: '/role', message: { zh: `${p.name} 没有 ${role} 角色`, en: `${p.name} holds no ${role} grant` } }]);
      }
      const at = this.now();
      const id = (await q.get<{ id: number }>('INSERT INTO tokens (name, role, hash, created_at, created_by, person_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
        p.name,
        role,
        hash,
        at,
        issuer.name,
        p.id,
      ]))!.id;
      const rec: TokenRecord = { id: Number(id), name: p.name, role, createdAt: at, createdBy: issuer.name };
      await this.store.audit(q, { actor: issuer.name, action: 'token.create', target: `token:${id}`, after: { ...rec, personId: p.id, issuedTo: p.name } });
      return rec;
    };
    return tx ? run(tx) : this.store.db.transaction(run);
  }

  /** Finds or makes `name`'s person with the grant, then issues a token: the token routes and CLI by name. */
  async issueByName(name: string, role: Role, scope: Scope | undefined, hash: string, issuer: Issuer): Promise<{ token: TokenRecord; person: PersonRecord }> {
    return this.store.db.transaction(async (tx) => {
      const person = await this.grantIn(tx, name, role, scope, issuer);
      const token = await this.issueToken(person.id, role, hash, issuer, tx);
      // The token keeps the spelling it was asked under; the person keeps the first one.
      await tx.run('UPDATE tokens SET name = ? WHERE id = ?', [name, token.id]);
      return { token: { ...token, name }, person };
    });
  }

  /** The live token with this hash and its person (tokens from before persons are linked on the way). */
  async byTokenHash(hash: string): Promise<TokenWithPerson | undefined> {
    // One query on every authenticated request: the token and its person together.
    const r = await this.store.db.get<Record<string, unknown>>(
      `SELECT t.id, t.name, t.role, t.created_at, t.created_by, t.person_id,
              p.name AS p_name, p.key AS p_key, p.grants AS p_grants, p.status AS p_status,
              p.created_at AS p_created_at, p.created_by AS p_created_by, p.approved_by AS p_approved_by, p.approved_at AS p_approved_at
         FROM tokens t LEFT JOIN persons p ON p.id = t.person_id
        WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?)`,
      // ISO-8601 UTC strings of one format compare as text in both dialects.
      [hash, this.now()],
    );
    if (!r) return undefined;
    const token: TokenRecord = {
      id: Number(r.id),
      name: r.name as string,
      role: r.role as Role,
      createdAt: r.created_at as string,
      createdBy: r.created_by as string,
    };
    const person =
      r.person_id == null || r.p_key == null
        ? await this.link(token)
        : personRow({ id: r.person_id, name: r.p_name, key: r.p_key, grants: r.p_grants, status: r.p_status, created_at: r.p_created_at, created_by: r.p_created_by, approved_by: r.p_approved_by, approved_at: r.p_approved_at });
    return { token, person };
  }

  /** A token made before persons existed (or written without one): its person by name key, made if new. */
  private async link(t: TokenRecord): Promise<PersonRecord> {
    return this.store.db.transaction(async (tx) => {
      const p = await this.grantIn(tx, t.name, t.role, '*', { kind: 'operator', name: 'migration' });
      await tx.run('UPDATE tokens SET person_id = ? WHERE id = ?', [p.id, t.id]);
      return p;
    });
  }

  /**
   * Links every token without a person: one person per distinct name key, holding every role
   * that key's tokens had (names differing only in case or width merge into one person), all
   * active and over every jurisdiction, as tokens were before persons.
   */
  async linkTokens(): Promise<number> {
    const rows = await this.store.db.all<Record<string, unknown>>('SELECT * FROM tokens WHERE person_id IS NULL ORDER BY id');
    for (const r of rows) {
      await this.link({ id: Number(r.id), name: r.name as string, role: r.role as Role, createdAt: r.created_at as string, createdBy: r.created_by as string });
    }
    return rows.length;
  }
}
