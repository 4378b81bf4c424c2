/**
 * OpenID Connect login against a real provider (`oidc-provider`, in process on a local port, its
 * development login and consent forms submitted with fetch): the server exchanges the code,
 * verifies the ID token, maps the account to an existing active person and issues an expiring
 * session token; an unknown account, a pending person and a mismatched state are refused.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcLogin } from '../../server/auth/oidc.ts';
import { main } from '../../server/cli/main.ts';
import { makeApp, type TestApp } from './helpers.ts';

const CLIENT = { id: 'tiaowen-admin', secret: 'a-test-secret-that-is-long-enough-for-hs256' };
const REDIRECT = 'http://localhost/api/v1/auth/oidc/callback';
/** The provider's accounts: id → claims. */
const ACCOUNTS: Record<string, { preferred_username?: string; email?: string; email_verified?: boolean }> = {
  'u-alice': { preferred_username: 'Alice', email: 'alice@example.org' },
  'u-mallory': { preferred_username: 'mallory' },
  'u-pendy': { email: 'pendy@example.org', email_verified: true },
  'u-carol': { email: 'carol@example.org', email_verified: true },
  'u-carol-unverified': { email: 'carol@example.org', email_verified: false },
  'u-alice-2': { preferred_username: 'alice' },
  'u-admin': { preferred_username: 'admin' },
};

let provider: Server;
let issuer: string;
let t: TestApp;
let offsetMs = 0;

beforeAll(async () => {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end();
  provider = createServer((q, r) => handle(q, r));
  await new Promise<void>((ok) => provider.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const oidc = new Provider(issuer, {
    clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }],
    findAccount: async (_ctx, id) => (ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) } : undefined),
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email', 'email_verified'] },
    // The claims in the ID token itself: the relying party reads no userinfo.
    conformIdTokenClaims: false,
    cookies: { keys: ['test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    // Set, so the provider does not print a notice for each default.
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  });
  handle = oidc.callback();
  t = await makeApp({ config: { oidc: { issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret, redirectUri: REDIRECT } }, clock: { now: () => new Date(Date.now() + offsetMs) } });
  const persons = t.deps.auth.persons;
  await persons.create('alice', [{ role: 'author', jurisdictions: ['gansu'] }], { kind: 'operator', name: 'test' });
  await persons.create('Carol@Example.org', [{ role: 'viewer', jurisdictions: '*' }], { kind: 'operator', name: 'test' });
  // A reviewer grant an admin asks for waits for a second admin: the person is pending.
  const admin = (await persons.byKey('admin'))!;
  await persons.create('pendy@example.org', [{ role: 'reviewer', jurisdictions: '*' }], { kind: 'person', id: admin.id, name: admin.name });
});

afterAll(async () => {
  await t?.close();
  await new Promise((ok) => provider?.close(ok));
});

/** A browser's cookies for the provider, by name (paths ignored: one site, one test). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line) || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

async function providerFetch(jar: Jar, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
  jar.take(res);
  return res;
}

/** Starts a login at the server; returns the provider URL and the server's state cookie. */
async function start(): Promise<{ location: string; cookie: string }> {
  const res = await t.req('GET', '/api/v1/auth/oidc/login');
  expect(res.status).toBe(302);
  const set = res.headers.getSetCookie().find((l) => l.startsWith('tw_oidc='))!;
  expect(set).toMatch(/HttpOnly/i);
  return { location: res.headers.get('location')!, cookie: set.split(';')[0]! };
}

/** Signs in at the provider as `account` (login and consent forms); returns the callback URL. */
async function atProvider(location: string, account: string): Promise<URL> {
  const jar = new Jar();
  let url = location;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(REDIRECT)) return new URL(url);
    const res = await providerFetch(jar, url);
    if (res.status >= 300 && res.status < 400) {
      url = new URL(res.headers.get('location')!, url).href;
      continue;
    }
    expect(res.status).toBe(200);
    const page = await res.text();
    const form: Record<string, string> = page.includes('name="login"') ? { prompt: 'login', login: account, password: 'x' } : { prompt: 'consent' };
    const posted = await providerFetch(jar, url, { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(posted.status).toBeGreaterThanOrEqual(300);
    url = new URL(posted.headers.get('location')!, url).href;
  }
  throw new Error('the provider never sent the browser back');
}

async function callback(url: URL, cookie: string): Promise<Response> {
  // As a browser navigates back: it asks for HTML.
  return t.req('GET', `${url.pathname}${url.search}`, { headers: { cookie, accept: 'text/html,application/xhtml+xml' } });
}

async function signIn(account: string): Promise<Response> {
  const { location, cookie } = await start();
  return callback(await atProvider(location, account), cookie);
}

function sessionToken(res: Response): string {
  expect(res.status).toBe(302);
  const m = /^\/#session=(tw_[A-Za-z0-9_-]+)$/.exec(res.headers.get('location') ?? '');
  expect(m).not.toBeNull();
  return m![1]!;
}

describe('OpenID Connect login', () => {
  it('tells the UI a provider is configured', async () => {
    const res = await t.req('GET', '/api/v1/auth/config');
    expect(await res.json()).toEqual({ oidc: { issuer } });
  });

  it('sends the browser to the provider with PKCE, state and nonce', async () => {
    const { location } = await start();
    const q = new URL(location).searchParams;
    expect(location.startsWith(`${issuer}/`)).toBe(true);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('state')).toBeTruthy();
    expect(q.get('nonce')).toBeTruthy();
    expect(q.get('redirect_uri')).toBe(REDIRECT);
  });

  it('an active person (by preferred_username, case-folded) gets a session token with their grants; the link is kept; the login is audited', async () => {
    const token = sessionToken(await signIn('u-alice'));
    const me = await t.req('GET', '/api/v1/me', { as: token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ name: 'alice', role: 'author', scope: ['gansu'] });
    // The author may read policies, but not act outside gansu or as an admin.
    expect((await t.req('GET', '/api/v1/policies', { as: token })).status).toBe(200);
    expect((await t.req('GET', '/api/v1/persons', { as: token })).status).toBe(403);
    const links = await t.deps.store.db.all<{ issuer: string; sub: string }>('SELECT issuer, sub FROM oidc_links');
    expect(links).toEqual([{ issuer, sub: 'u-alice' }]);
    const audit = await t.deps.store.db.all<{ actor: string; after: string }>("SELECT actor, after FROM audit WHERE action = 'person.login'");
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.after)).toMatchObject({ issuer, sub: 'u-alice', role: 'author', linked: true });
    // Second login: by the stored link.
    const again = sessionToken(await signIn('u-alice'));
    expect((await t.req('GET', '/api/v1/me', { as: again })).status).toBe(200);
    const last = await t.deps.store.db.all<{ after: string }>("SELECT after FROM audit WHERE action = 'person.login' ORDER BY id");
    expect(JSON.parse(last[1]!.after)).toMatchObject({ linked: false });
  });

  it('a second provider account with the same name does not take over a linked person', async () => {
    const res = await signIn('u-alice-2');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('oidc.no-person');
  });

  it('the session token expires', async () => {
    const token = sessionToken(await signIn('u-alice'));
    expect((await t.req('GET', '/api/v1/me', { as: token })).status).toBe(200);
    offsetMs = 9 * 3_600_000;
    try {
      expect((await t.req('GET', '/api/v1/me', { as: token })).status).toBe(401);
    } finally {
      offsetMs = 0;
    }
  });

  it('an admin signs in as admin, but the expiring session does not count as a lasting admin token', async () => {
    const session = sessionToken(await signIn('u-admin'));
    expect(await (await t.req('GET', '/api/v1/me', { as: session })).json()).toMatchObject({ name: 'admin', role: 'admin' });
    const tokens = (await (await t.req('GET', '/api/v1/tokens', { as: session })).json()) as { items: { id: number; name: string; role: string; revokedAt?: string; expiresAt?: string }[] };
    const admins = tokens.items.filter((x) => x.role === 'admin' && !x.revokedAt);
    // Two admin rows (the lasting one and this session), yet revoking the lasting one would lock everyone out.
    expect(admins.length).toBe(2);
    // The session shows its end in the token list.
    expect(admins.filter((x) => x.expiresAt).length).toBe(1);
    const permanent = (await t.deps.store.db.all<{ id: number }>("SELECT id FROM tokens WHERE role = 'admin' AND expires_at IS NULL AND revoked_at IS NULL"))[0]!;
    const res = await t.req('DELETE', `/api/v1/tokens/${permanent.id}`, { as: session });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token.last-admin');
  });

  it('an account matching no person is refused with a page (no person is made)', async () => {
    const before = (await t.deps.auth.persons.list()).length;
    const res = await signIn('u-mallory');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('oidc.no-person');
    expect((await t.deps.auth.persons.list()).length).toBe(before);
    // A client that does not ask for HTML gets the API's error body.
    const api = await t.req('GET', '/api/v1/auth/oidc/callback?state=x&code=y');
    expect(api.status).toBe(400);
    expect(api.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await api.json()) as { error: { code: string } }).error.code).toMatch(/^oidc\./);
  });

  it('a verified email names a person; an unverified one names nobody', async () => {
    const refused = await signIn('u-carol-unverified');
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('oidc.no-person');
    const token = sessionToken(await signIn('u-carol'));
    expect(await (await t.req('GET', '/api/v1/me', { as: token })).json()).toMatchObject({ name: 'Carol@Example.org', role: 'viewer' });
  });

  it('a pending person (by email) cannot sign in, and is not linked', async () => {
    const res = await signIn('u-pendy');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('oidc.not-active');
    expect(await t.deps.store.db.all("SELECT sub FROM oidc_links WHERE sub = 'u-pendy'")).toEqual([]);
  });

  it('a login started on one instance finishes on another (no server memory between the two)', async () => {
    const { location, cookie } = await start();
    const back = await atProvider(location, 'u-alice');
    const other = new OidcLogin(t.deps.config.oidc!, t.deps.store, t.deps.auth.persons);
    const { token, person } = await other.finish(back, cookie.slice('tw_oidc='.length));
    expect(person.name).toBe('alice');
    expect((await t.req('GET', '/api/v1/me', { as: token })).status).toBe(200);
  });

  it('a mismatched or missing state is refused before any code is exchanged', async () => {
    const { location, cookie } = await start();
    const back = await atProvider(location, 'u-alice');
    const forged = new URL(back);
    forged.searchParams.set('state', 'not-the-state');
    const res = await callback(forged, cookie);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('oidc.state-mismatch');
    const noCookie = await t.req('GET', `${back.pathname}${back.search}`);
    expect(noCookie.status).toBe(400);
    expect(await noCookie.text()).toContain('oidc.state-missing');
    // A state cookie whose signature does not hold is no cookie.
    const tampered = await callback(back, cookie.replace(/\.[^.]+$/, '.AAAA'));
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('oidc.state-missing');
  });
});

describe('without a provider', () => {
  let plain: TestApp;
  beforeAll(async () => {
    plain = await makeApp();
  });
  afterAll(async () => plain?.close());

  it('the UI is told to use tokens, and the login routes answer 404', async () => {
    expect(await (await plain.req('GET', '/api/v1/auth/config')).json()).toEqual({ oidc: null });
    const res = await plain.req('GET', '/api/v1/auth/oidc/login');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('oidc.not-configured');
  });
});

describe('tiaowen serve', () => {
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
    return { code, text: out.join('\n') };
  };

  it('documents the OpenID Connect flags and their variables', async () => {
    const { code, text } = await run(['serve', '--help']);
    expect(code).toBe(0);
    for (const w of ['--oidc-issuer', 'TIAOWEN_OIDC_ISSUER', '--oidc-client-id', 'TIAOWEN_OIDC_CLIENT_ID', '--oidc-client-secret', 'TIAOWEN_OIDC_CLIENT_SECRET']) expect(text).toContain(w);
  });

  it('refuses an issuer without its client id and secret (usage, exit 2)', async () => {
    const { code, text } = await run(['serve', '--oidc-issuer', 'https://sso.example.org']);
    expect(code).toBe(2);
    expect(text).toContain('go together');
  });
});
