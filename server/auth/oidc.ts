/**
 * OpenID Connect login for the admin UI (the server as relying party, `openid-client` v6):
 * authorization code with PKCE, state and nonce. Between the redirect to the provider and the
 * callback, the checks live in an HMAC-signed, HttpOnly cookie (not server memory), so any
 * instance sharing one PostgreSQL can answer the callback. A provider account maps to a person by
 * its stored link (issuer, sub), else — first login — by `preferred_username` or `email`
 * normalised like every name to an existing ACTIVE person, which links it. Logging in never makes
 * a person: an admin does. The session is an ordinary token with an expiry (the `tokens` table):
 * authentication, revocation, rate limits and the audit trail work on it unchanged, and the UI
 * keeps it as it keeps a pasted token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import { ApiError } from '../errors.ts';
import type { Role, Store } from '../store/store.ts';
import type { Persons, PersonRecord } from '../store/persons.ts';
import { personName } from './person.ts';
import { hashToken, newToken } from './tokens.ts';

export interface OidcSettings {
  /** The provider's issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Where the provider sends the browser back; default `<request origin>/api/v1/auth/oidc/callback`. */
  redirectUri?: string;
  /** How long a login session's token lasts; default 480 (a working day). */
  sessionMinutes?: number;
}

/** The cookie carrying state, nonce and PKCE verifier to the callback. */
export const STATE_COOKIE = 'tw_oidc';
const STATE_TTL_MS = 10 * 60_000;
/** Roles a login session acts as, first held wins: `system` is for systems, never for a browser. */
const SESSION_ROLES: readonly Role[] = ['admin', 'reviewer', 'author', 'viewer'];

interface Pending {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  expires: number;
}

export class OidcLogin {
  private config?: Promise<client.Configuration>;
  private readonly key: Buffer;

  constructor(
    readonly settings: OidcSettings,
    private readonly store: Store,
    private readonly persons: Persons,
  ) {
    // Every instance holds the client secret, so the cookie key derived from it is shared too.
    this.key = createHmac('sha256', 'tiaowen oidc state cookie').update(settings.clientSecret).digest();
  }

  /** The provider's metadata, discovered once (again after a failure). */
  private discover(): Promise<client.Configuration> {
    if (!this.config) {
      const issuer = new URL(this.settings.issuer);
      // Plain http only for a provider on this machine (tests, a local Keycloak).
      const local = issuer.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(issuer.hostname);
      this.config = client
        .discovery(issuer, this.settings.clientId, undefined, client.ClientSecretPost(this.settings.clientSecret), local ? { execute: [client.allowInsecureRequests] } : undefined)
        .catch((e: unknown) => {
          this.config = undefined;
          throw unreachable(e);
        });
    }
    return this.config;
  }

  /** The provider's authorization URL and the signed cookie value that the callback checks. */
  async start(redirectUri: string): Promise<{ url: string; cookie: string }> {
    const config = await this.discover();
    const p: Pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), redirectUri, expires: Date.now() + STATE_TTL_MS };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(p.verifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
    });
    return { url: url.href, cookie: this.seal(p) };
  }

  /**
   * Exchanges the code of a callback (`currentUrl`, with its query) and verifies the ID token
   * (signature, issuer, audience, nonce) against the cookie's checks; returns the person and a
   * new session token. Refusals are ApiErrors (400 state, 403 no person, 502 provider).
   */
  async finish(currentUrl: URL, cookie: string | undefined): Promise<{ token: string; person: PersonRecord; role: Role; expiresAt: string }> {
    const pending = cookie ? this.open(cookie) : undefined;
    if (!pending) throw ApiError.of(400, 'oidc.state-missing');
    if (currentUrl.searchParams.get('state') !== pending.state) throw ApiError.of(400, 'oidc.state-mismatch');
    const config = await this.discover();
    const callback = new URL(pending.redirectUri);
    callback.search = currentUrl.search;
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (e) {
      // A network failure is the provider's; anything else (an error answer, a bad ID token) is a refused login.
      if (e instanceof TypeError || (e instanceof client.ClientError && e.cause instanceof TypeError)) throw unreachable(e);
      throw ApiError.of(400, 'oidc.refused', [{ path: 'query', message: { zh: (e as Error).message, en: (e as Error).message } }]);
    }
    if (!claims) throw ApiError.of(400, 'oidc.refused');
    return this.signIn(claims);
  }

  /** Maps verified claims to a person, links them on first login, issues the session token. */
  private async signIn(claims: client.IDToken): Promise<{ token: string; person: PersonRecord; role: Role; expiresAt: string }> {
    const issuer = claims.iss;
    const sub = claims.sub;
    // An email the provider has not verified could be anyone's: it names no person.
    const email = claims.email_verified === true ? claims.email : undefined;
    const names = [claims.preferred_username, email].filter((v): v is string => typeof v === 'string' && v !== '');
    return this.store.db.transaction(async (tx) => {
      const link = await tx.get<{ person_id: number }>('SELECT person_id FROM oidc_links WHERE issuer = ? AND sub = ?', [issuer, sub]);
      let person: PersonRecord | undefined;
      let linked = false;
      if (link) person = await this.persons.byId(Number(link.person_id), tx);
      else {
        for (const raw of names) {
          const n = personName(raw);
          if ('error' in n) continue;
          person = await this.persons.byKey(n.key, tx);
          if (person) break;
        }
        if (person && person.status === 'active') {
          // A person already linked to another account at this provider is not taken over by a
          // second account that happens to carry the same name.
          const other = await tx.get('SELECT sub FROM oidc_links WHERE issuer = ? AND person_id = ?', [issuer, person.id]);
          if (other) person = undefined;
          else {
            await tx.run('INSERT INTO oidc_links (issuer, sub, person_id, linked_at) VALUES (?, ?, ?, ?)', [issuer, sub, person.id, this.store.clock.now().toISOString()]);
            linked = true;
          }
        }
      }
      if (!person) throw ApiError.of(403, 'oidc.no-person', [{ path: 'id_token', message: { zh: `账号 ${names[0] ?? sub}`, en: `account ${names[0] ?? sub}` } }]);
      if (person.status !== 'active') throw ApiError.of(403, 'oidc.not-active', [{ path: 'id_token', message: { zh: `人员 ${person.name}`, en: `person ${person.name}` } }]);
      const role = SESSION_ROLES.find((r) => person.grants.some((g) => g.role === r && g.status === 'active'));
      if (!role) throw ApiError.of(403, 'oidc.not-active', [{ path: 'id_token', message: { zh: `${person.name} 没有可登录的授权`, en: `${person.name} holds no grant to sign in with` } }]);
      const token = newToken();
      const record = await this.persons.issueToken(person.id, role, hashToken(token), { kind: 'operator', name: person.name }, tx);
      const minutes = this.settings.sessionMinutes ?? 480;
      const expiresAt = new Date(this.store.clock.now().getTime() + minutes * 60_000).toISOString();
      await tx.run('UPDATE tokens SET expires_at = ? WHERE id = ?', [expiresAt, record.id]);
      await this.store.audit(tx, { actor: person.name, action: 'person.login', target: `person:${person.id}`, after: { issuer, sub, role, tokenId: record.id, expiresAt, linked } });
      return { token, person, role, expiresAt };
    });
  }

  private seal(p: Pending): string {
    const body = Buffer.from(JSON.stringify(p)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  private open(cookie: string): Pending | undefined {
    const [body, mac] = cookie.split('.');
    if (!body || !mac) return undefined;
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Pending;
      return p.expires > Date.now() ? p : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

function unreachable(e: unknown): ApiError {
  const why = e instanceof Error ? e.message : String(e);
  return ApiError.of(502, 'oidc.provider-unreachable', [{ path: 'issuer', message: { zh: why, en: why } }]);
}
