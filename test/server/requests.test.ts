/**
 * Around every request: request ids (header and error bodies), the access log, the admin UI's
 * static files and favicon, failed-authentication and per-token limits keyed by the client's
 * address (X-Forwarded-For believed only from a trusted proxy), and a request Node cannot parse
 * still answered with an error body.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/main.ts';
import { FIXTURE_POLICIES, makeApp, STORE_KIND, testStoreSpec, type TestApp } from './helpers.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tiaowen-req-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('request ids and the admin UI files', () => {
  let t: TestApp;
  let ui: string;
  beforeAll(async () => {
    ui = tmp();
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>条文</title>');
    mkdirSync(join(ui, 'assets'));
    writeFileSync(join(ui, 'assets', 'app.js'), 'console.log(1)');
    t = await makeApp({ config: { uiDir: ui } });
  });
  afterAll(async () => t.close());

  it('answers every request with an X-Request-Id, and every error body carries the same id', async () => {
    const ok = await t.req('GET', '/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    for (const [method, path, as] of [
      ['GET', '/api/v1/policies', undefined],
      ['GET', '/api/v1/policies/none/none', 'admin'],
      ['POST', '/api/v1/evaluate', 'ingest'],
      ['GET', '/api/v1/nothing', 'admin'],
    ] as const) {
      const res = await t.req(method, path, { as, ...(method === 'POST' ? { json: { facts: 1 } } : {}) });
      expect(res.status).toBeGreaterThanOrEqual(400);
      const body = (await res.json()) as { error: { requestId: string } };
      expect(body.error.requestId).toBe(res.headers.get('x-request-id'));
    }
    // A caller's own id is kept (when it looks like an id), so logs on both sides join up.
    const mine = await t.req('GET', '/api/v1/me', { headers: { 'x-request-id': 'caller-42' } });
    expect(mine.headers.get('x-request-id')).toBe('caller-42');
    expect(((await mine.json()) as { error: { requestId: string } }).error.requestId).toBe('caller-42');
    const bogus = await t.req('GET', '/healthz', { headers: { 'x-request-id': 'no spaces <allowed>' } });
    expect(bogus.headers.get('x-request-id')).not.toBe('no spaces <allowed>');
  });

  it('public routes ignore a bad token; a known path with another method is 405 with Allow', async () => {
    const doc = await t.req('GET', '/api/v1/openapi.json', { headers: { authorization: 'Bearer tw_stale-or-wrong-0000000000000000000000' } });
    expect(doc.status).toBe(200);
    const put = await t.req('PUT', '/api/v1/policies', { as: 'admin' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD');
    expect(((await put.json()) as { error: { code: string } }).error.code).toBe('http.method-not-allowed');
    const del = await t.req('DELETE', '/api/v1/drafts/3/submit', { as: 'admin' });
    expect([del.status, del.headers.get('allow')]).toEqual([405, 'POST']);
    expect((await t.req('GET', '/api/v1/no/such/route', { as: 'admin' })).status).toBe(404);
  });

  it('refuses to revoke the last admin token', async () => {
    const tokens = (await (await t.req('GET', '/api/v1/tokens', { as: 'admin' })).json()) as { items: { id: number; role: string; revokedAt?: string }[] };
    const admins = tokens.items.filter((x) => x.role === 'admin' && !x.revokedAt);
    expect(admins).toHaveLength(1);
    const res = await t.req('DELETE', `/api/v1/tokens/${admins[0]!.id}`, { as: 'admin' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('token.last-admin');
    // With a second admin, the first may go.
    // A second admin made over the API waits for approval and does not count: the operator makes one.
    const second = await t.deps.auth.create('admin', '第二管理员', 'test');
    expect((await t.req('DELETE', `/api/v1/tokens/${admins[0]!.id}`, { as: second.token })).status).toBe(200);
    t.tokens.admin = second.token;
  });

  it('serves files, the app for its routes, a favicon, and 404 for a missing file', async () => {
    const fav = await t.req('GET', '/favicon.ico');
    expect(fav.status).toBe(200);
    expect(fav.headers.get('content-type')).toBe('image/svg+xml');
    expect(await fav.text()).toContain('<svg');
    expect(await (await t.req('GET', '/assets/app.js')).text()).toBe('console.log(1)');
    for (const route of ['/', '/policies/gansu/poverty-loan', '/drafts/3']) {
      const page = await t.req('GET', route);
      expect([route, page.status]).toEqual([route, 200]);
      expect(await page.text()).toContain('<title>条文</title>');
    }
    for (const missing of ['/nope.js', '/assets/missing.png', '/robots.txt']) {
      const res = await t.req('GET', missing);
      expect([missing, res.status]).toEqual([missing, 404]);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('http.not-found');
    }
  });
});

describe('on a real port', () => {
  let server: RunningServer;
  let drop: () => Promise<void>;
  const lines: Record<string, unknown>[] = [];
  beforeAll(async () => {
    const dir = tmp();
    const where = await testStoreSpec(dir);
    drop = where.drop;
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    });
    server = await startServer({
      dataDir: dir,
      store: STORE_KIND === 'postgres' ? where.spec : undefined,
      port: 0,
      policiesDir: FIXTURE_POLICIES,
      logger: pino({ base: null }, sink),
      config: {
        limits: { authFailuresBeforeSlowing: 2, authFailuresBeforeRefusing: 4, windowSeconds: 60, perTokenPerMinute: 5 },
        trustedProxies: ['127.0.0.1'],
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await drop?.();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers });

  it('slows, then refuses (429, Retry-After) an address that keeps failing to authenticate; others are not affected', async () => {
    const bad = { authorization: 'Bearer tw_not-a-real-token-000000000000000000000', 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await get('/api/v1/me', bad)).status);
    expect(statuses).toEqual([401, 401, 401, 401]);
    const refused = await get('/api/v1/me', bad);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { error: { code: string; message: { zh: string; en: string } } };
    expect(body.error.code).toBe('auth.too-many-failures');
    expect(body.error.message.zh && body.error.message.en).toBeTruthy();
    // The same address with a good token is refused too until the window passes; another address is not.
    expect((await get('/api/v1/me', { ...bad, authorization: `Bearer ${server.adminToken}` })).status).toBe(429);
    expect((await get('/api/v1/me', { ...bad, 'x-forwarded-for': '203.0.113.8' })).status).toBe(401);
  });

  it('limits requests per token when configured', async () => {
    const headers = { authorization: `Bearer ${server.adminToken}`, 'x-forwarded-for': '198.51.100.1' };
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get('/api/v1/me', headers)).status);
    expect(statuses.slice(0, 5).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('logs one JSON line per request: id, route, status, duration, who and from where; no secrets, no facts', async () => {
    // A token of its own: the admin's is over its per-minute limit after the test above.
    const { token } = await server.deps.auth.create('system', '接入系统', 'test');
    const before = lines.length;
    const res = await fetch(`${server.url}/api/v1/evaluate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.2' },
      body: JSON.stringify({ policy: 'demo/loan', asOf: '2018-06-30', facts: { 户主姓名: '王大秘密' } }),
    });
    await res.text();
    await new Promise((r) => setTimeout(r, 50));
    const line = lines.slice(before).find((l) => l.requestId === res.headers.get('x-request-id'));
    expect(res.status).toBe(200);
    expect(line).toMatchObject({ method: 'POST', route: '/api/v1/evaluate', status: 200, token: '接入系统', client: '198.51.100.2' });
    expect(typeof line!.ms).toBe('number');
    const text = JSON.stringify(lines);
    expect(text).not.toContain(server.adminToken!);
    expect(text).not.toContain(token);
    expect(text).not.toContain('王大秘密');
  });

  const rawRequest = (head: Buffer) =>
    new Promise<string>((resolve, reject) => {
      const u = new URL(server.url);
      const s = connect(Number(u.port), u.hostname, () => s.write(head));
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });

  it('answers an unknown method with 405 and a URL over 16 KB with 414, both with the error body', async () => {
    const foo = await rawRequest(Buffer.from('FOO /api/v1/policies HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(foo).toMatch(/^HTTP\/1\.1 405/);
    expect(foo).toMatch(/\r\nAllow: /);
    expect(JSON.parse(foo.slice(foo.indexOf('\r\n\r\n') + 4)).error.code).toBe('http.method-not-allowed');
    const long = await rawRequest(Buffer.from(`GET /api/v1/policies?q=${'x'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`));
    expect(long).toMatch(/^HTTP\/1\.1 414/);
    expect(JSON.parse(long.slice(long.indexOf('\r\n\r\n') + 4)).error.code).toBe('http.uri-too-long');
  });

  it('answers a request Node cannot parse with the error body, not an empty 400', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const u = new URL(server.url);
      const s = connect(Number(u.port), u.hostname, () => {
        // A raw UTF-8 query, as `curl -G --data "actor=张三"` without --data-urlencode sends it.
        s.write(Buffer.concat([Buffer.from('GET /api/v1/audit?actor='), Buffer.from('张三'), Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]));
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const body = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: { en: string } } };
    expect(body.error.code).toBe('http.bad-request');
    expect(body.error.message.en).toMatch(/data-urlencode/);
  });
});
