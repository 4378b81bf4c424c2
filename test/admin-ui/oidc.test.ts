/**
 * Signing in to the admin UI through an OpenID Connect provider in a real browser: the login
 * page offers the provider, the provider's (development) login and consent forms are filled, and
 * the browser comes back logged in as the linked person, the token gone from the address bar.
 * Screenshot: test-artifacts/screenshots/login-oidc.png.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi } from '../../admin-ui/build.ts';
import { startServer, type RunningServer } from '../../server/main.ts';
import { launchBrowser, type TestBrowser } from './browser.ts';
import { SHOTS } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLIENT = { id: 'tiaowen-admin', secret: 'a-browser-test-secret-long-enough-for-hs256' };

let provider: Server;
let server: RunningServer;
let browser: TestBrowser;
let dataDir: string;
let issuer: string;

beforeAll(async () => {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => r.end();
  provider = createServer((q, r) => handle(q, r));
  await new Promise<void>((ok) => provider.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  const uiDir = await buildUi({ minify: false });
  dataDir = mkdtempSync(join(tmpdir(), 'tiaowen-oidc-ui-'));
  server = await startServer({ dataDir, port: 0, policiesDir: join(ROOT, 'policies'), uiDir, config: { oidc: { issuer, clientId: CLIENT.id, clientSecret: CLIENT.secret } } });
  handle = new Provider(issuer, {
    clients: [{ client_id: CLIENT.id, client_secret: CLIENT.secret, redirect_uris: [`${server.url}/api/v1/auth/oidc/callback`], token_endpoint_auth_method: 'client_secret_post' }],
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, preferred_username: '审核人丙', email: 'bing@example.org' }) }),
    claims: { openid: ['sub'], profile: ['preferred_username'], email: ['email'] },
    conformIdTokenClaims: false,
    cookies: { keys: ['browser-test-key'] },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
  }).callback();
  await server.deps.auth.persons.create('审核人丙', [{ role: 'reviewer', jurisdictions: '*' }], { kind: 'operator', name: 'test' });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((ok) => provider?.close(ok));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('sign in with the OpenID Connect provider', () => {
  it('offers the provider beside the token form and comes back logged in as the linked person', async () => {
    const ctx = await browser.context();
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/library`);
    const button = page.getByTestId('oidc-login');
    await button.waitFor({ state: 'visible' });
    expect(await button.textContent()).toContain(`通过统一身份认证登录(${issuer})`);
    // The token form stays, for systems.
    expect(await page.getByLabel('访问令牌').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'login-oidc.png') });
    await button.click();
    // The provider's development forms: any login, then consent.
    await page.locator('input[name="login"]').fill('bing');
    await page.locator('input[name="password"]').fill('x');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();
    await page.getByTestId('whoami').waitFor({ state: 'visible' });
    expect(await page.getByTestId('whoami').textContent()).toContain('审核人丙');
    expect(new URL(page.url()).hash).not.toContain('session=');
    const token = await page.evaluate(() => sessionStorage.getItem('tiaowen.token'));
    expect(token).toMatch(/^tw_/);
    await ctx.close();
  }, 60_000);
});
