/** Looks bearer tokens up by their hash (with their person); creates the first admin on an empty store. */
import type { Actor } from '../context.ts';
import type { Role, Store, TokenRecord } from '../store/store.ts';
import { Persons, type Issuer, type PersonRecord } from '../store/persons.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';
import { personName } from './person.ts';
import type { Scope } from './grants.ts';
import { ApiError } from '../errors.ts';

const BOOTSTRAP_LOCK = 7_301_004;

/** An issuer from a string (the operator: CLI, tests, first start) or an acting admin person. */
export function issuerOf(by: string | Actor): Issuer {
  return typeof by === 'string' ? { kind: 'operator', name: by } : { kind: 'person', id: by.personId, name: by.name };
}

export class Auth {
  readonly persons: Persons;

  constructor(private readonly store: Store) {
    this.persons = new Persons(store);
  }

  /**
   * The actor behind an `Authorization` header; undefined when absent; null when invalid; 401
   * auth.disabled when the token's person is disabled. A person awaiting approval, or a token whose role grant is pending,
   * authenticates as `pending`: such an actor may only ask `GET /me`.
   */
  async authenticate(header: string | undefined): Promise<Actor | undefined | null> {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m || !looksLikeToken(m[1])) return null;
    const found = await this.persons.byTokenHash(hashToken(m[1]));
    if (!found) return null;
    const { token, person } = found;
    // A real token of a disabled person: said plainly (not counted as a guess), so they know to ask an admin.
    if (person.status === 'disabled') {
      throw ApiError.of(401, 'auth.disabled', [{ path: 'header.authorization', message: { zh: `${person.name} 已被停用`, en: `${person.name} is disabled` } }]);
    }
    const grant = person.grants.find((g) => g.role === token.role);
    const pending = person.status !== 'active' || grant?.status !== 'active';
    return { name: person.name, role: token.role, tokenId: token.id, personId: person.id, scope: pending ? [] : grant!.jurisdictions, pending };
  }

  /**
   * Issues a token to the person named `rawName` (made if new, given the grant `role` over `scope`
   * (default `*`) if they lack it); the secret is returned once and only its hash is stored. Names are compared
   * NFKC, trimmed, case-folded; one with invisible characters is refused (400 token.bad-name).
   * `by` is the operator (a string: CLI, first start, tests) or the admin asking: a reviewer or
   * admin grant an admin asks for waits for a second admin.
   */
  async create(role: Role, rawName: string, by: string | Actor, scope?: Scope): Promise<{ token: string; record: TokenRecord; person: PersonRecord }> {
    const person = personName(rawName);
    if ('error' in person) throw ApiError.of(400, 'token.bad-name', [{ path: '/name', message: person.error }]);
    const token = newToken();
    const made = await this.persons.issueByName(person.name, role, scope, hashToken(token), issuerOf(by));
    return { token, record: made.token, person: made.person };
  }

  /** Issues a token to an existing person for one of their roles. */
  async issue(personId: number, role: Role, by: string | Actor): Promise<{ token: string; record: TokenRecord }> {
    const token = newToken();
    const record = await this.persons.issueToken(personId, role, hashToken(token), issuerOf(by));
    return { token, record };
  }

  /** On first start (no token at all) an admin token is made and returned, once. */
  async bootstrap(): Promise<string | undefined> {
    // Instances starting together on one database: exactly one makes the first admin token.
    return this.store.db.withLock(BOOTSTRAP_LOCK, async () => {
      if ((await this.store.countTokens()) > 0) return undefined;
      return (await this.create('admin', 'admin', 'system')).token;
    });
  }
}
