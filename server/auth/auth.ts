/** Looks bearer tokens up by their hash; creates the first admin token on an empty store. */
import type { Actor } from '../context.ts';
import type { Role, Store, TokenRecord } from '../store/store.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';
import { personName } from './person.ts';
import { ApiError } from '../errors.ts';

const BOOTSTRAP_LOCK = 7_301_004;

export class Auth {
  constructor(private readonly store: Store) {}

  /** The actor behind an `Authorization` header; undefined when absent; null when invalid. */
  async authenticate(header: string | undefined): Promise<Actor | undefined | null> {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m || !looksLikeToken(m[1])) return null;
    const rec = await this.store.tokenByHash(hashToken(m[1]));
    return rec ? { name: rec.name, role: rec.role, tokenId: rec.id } : null;
  }

  /**
   * Creates a token; the secret is returned once and only its hash is stored. The name is the
   * person's (persons are compared NFKC, trimmed, case-folded); one with invisible characters is
   * refused (400 token.bad-name).
   */
  async create(role: Role, rawName: string, createdBy: string): Promise<{ token: string; record: TokenRecord }> {
    const person = personName(rawName);
    if ('error' in person) throw ApiError.of(400, 'token.bad-name', [{ path: '/name', message: person.error }]);
    const name = person.name;
    const token = newToken();
    const record = await this.store.createToken({ name, role, hash: hashToken(token), createdBy });
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
