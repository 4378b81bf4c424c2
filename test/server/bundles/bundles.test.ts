/**
 * Policy bundles over the app (SQLite, and PostgreSQL in the postgres project): the bundle is IR
 * with its bases, signed so that the public key route's key verifies it and any changed byte
 * fails; the ETag gives 304 on If-None-Match; reported decisions land in the decision log marked
 * with the client, and one made on another policy than the server resolves is refused.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleBytes, verifyBundle, type SignedBundle } from '../../../server/client/format.ts';
import { BundleClient } from '../../../server/client/index.ts';
import { expectError, makeApp, NPL_4, type TestApp } from '../helpers.ts';

let t: TestApp;
let publicKey: string;
const AS_OF = '2018-03-01';
/** 10% non-performing: over the variant's 5% red line. */
const NPL_10 = { ...NPL_4, 贷款: [{ 金额: 90, 逾期天数: 0 }, { 金额: 10, 逾期天数: 90 }] };

beforeAll(async () => {
  t = await makeApp();
  const key = await t.req('GET', '/api/v1/bundles/key');
  expect(key.status).toBe(200);
  publicKey = ((await key.json()) as { publicKey: string }).publicKey;
});
afterAll(() => t.close());

async function bundle(headers: Record<string, string> = {}): Promise<{ res: Response; signed?: SignedBundle }> {
  const res = await t.req('GET', '/api/v1/bundles/demo2/loan', { as: 'ingest', headers });
  return { res, signed: res.status === 200 ? ((await res.json()) as SignedBundle) : undefined };
}

/** A `fetch` that answers from the app in this process, so a client can be tried without a port. */
const appFetch: typeof fetch = async (input, init) => t.app.request(String(input).replace(/^http:\/\/app/, ''), init as RequestInit);

describe('GET /api/v1/bundles/{jurisdiction}/{topic}', () => {
  it('gives the versions in force with their bases as IR, signed: the published key verifies it, a changed byte does not', async () => {
    const { res, signed } = await bundle();
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const b = signed!.bundle;
    expect(b.policy).toBe('demo2/loan');
    expect(b.versions.map((v) => v.version)).toEqual(['2016.1']);
    // demo2/loan extends demo/loan: its base goes along, so the client needs nothing else.
    expect(b.bases.map((v) => `${v.policyId}@${v.version}`)).toEqual(['demo/loan@2015.1']);
    expect(b.versions[0]!.ir.extends?.policy).toBe('demo/loan');
    expect(verifyBundle(signed!, publicKey)).toBe(true);

    // One byte of the signed content changed: the signature no longer holds.
    const bytes = bundleBytes(b);
    // The last "version" is versions[0].version (keys are sorted: the IR's own comes before it).
    const i = bytes.lastIndexOf(Buffer.from('"version":"2016.1"')) + '"version":"'.length;
    bytes[i] = bytes[i]! ^ 1;
    const tampered = { ...signed!, bundle: JSON.parse(bytes.toString('utf8')) } as SignedBundle;
    expect(tampered.bundle.versions[0]!.version).not.toBe('2016.1');
    expect(verifyBundle(tampered, publicKey)).toBe(false);
    // A changed signature byte, or another key, fails too.
    const sig = Buffer.from(signed!.signature, 'base64');
    sig[0] = sig[0]! ^ 1;
    expect(verifyBundle({ ...signed!, signature: sig.toString('base64') }, publicKey)).toBe(false);
    const { generateKeyPairSync } = await import('node:crypto');
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(verifyBundle(signed!, other)).toBe(false);
    // keyId names the key that signed.
    const der = (await import('node:crypto')).createPublicKey(publicKey).export({ type: 'spki', format: 'der' });
    expect(signed!.keyId).toBe(createHash('sha256').update(der).digest('hex').slice(0, 16));
  });

  it('answers 304 with no body to a matching If-None-Match, 200 to another', async () => {
    const first = await bundle();
    const etag = first.res.headers.get('etag')!;
    const again = await bundle({ 'if-none-match': etag });
    expect(again.res.status).toBe(304);
    expect(await again.res.text()).toBe('');
    expect(again.res.headers.get('etag')).toBe(etag);
    const stale = await bundle({ 'if-none-match': '"0000"' });
    expect(stale.res.status).toBe(200);
    expect(stale.res.headers.get('etag')).toBe(etag);
  });

  it('is the same bundle and key on every request (the key is kept in the store)', async () => {
    const a = await bundle();
    const b = await bundle();
    expect(b.signed!.signature).toBe(a.signed!.signature);
    const stored = await t.deps.store.getMeta('bundles.signing-key');
    expect(stored).toMatch(/BEGIN PRIVATE KEY/);
  });

  it('404 for a policy with no version in force or scheduled, and for an unknown one; a viewer may not read bundles', async () => {
    // demo/loan 2015.1 ended on 2020-12-31.
    await expectError(await t.req('GET', '/api/v1/bundles/demo/loan', { as: 'ingest' }), 404, 'policy.not-found');
    await expectError(await t.req('GET', '/api/v1/bundles/nowhere/none', { as: 'ingest' }), 404, 'policy.not-found');
    await expectError(await t.req('GET', '/api/v1/bundles/demo2/loan', { as: '赵六' }), 403, 'auth.forbidden');
  });
});

describe('deciding on a bundle and reporting the decisions', () => {
  it("decides as the server's evaluate does, and its reported decisions appear in GET /api/v1/decisions marked with the client", async () => {
    const client = await BundleClient.open({ url: 'http://app', token: t.tokens.ingest!, policy: 'demo2/loan', publicKey, fetch: appFetch, report: { client: '县级系统-1', batchSize: 50 } });
    const mine = client.decide(NPL_10, { asOf: AS_OF, subject: 'case-1' });
    const server = await t.req('POST', '/api/v1/evaluate', { as: 'ingest', json: { policy: 'demo2/loan', facts: NPL_10, asOf: AS_OF } });
    const theirs = ((await server.json()) as { decision: unknown }).decision;
    expect(mine).toEqual(theirs);
    expect(mine.outcomes.length).toBeGreaterThan(0);

    expect(await client.flush()).toBe(1);
    const list = await t.req('GET', '/api/v1/decisions?subject=case-1', { as: 'admin' });
    const items = ((await list.json()) as { items: { reportedBy?: string; caller: string; decision: unknown; policyId: string }[] }).items;
    expect(items).toHaveLength(1);
    expect(items[0]!.reportedBy).toBe('县级系统-1');
    expect(items[0]!.caller).toBe('ingest');
    expect(items[0]!.policyId).toBe('demo2/loan');
    expect(items[0]!.decision).toEqual(mine);
    // The CSV export names the client too.
    const csv = await (await t.req('GET', '/api/v1/decisions?subject=case-1&format=csv', { as: 'admin' })).text();
    const [header, row] = csv.replace(/^\uFEFF/, '').split('\n');
    expect(row!.split(',')[header!.split(',').indexOf('reported_by')]).toBe('县级系统-1');
    await client.close();
  });

  it('refuses a reported decision made on another policy than the server resolves (422), and a malformed batch (400)', async () => {
    const client = await BundleClient.open({ url: 'http://app', token: t.tokens.ingest!, policy: 'demo2/loan', publicKey, fetch: appFetch });
    const d = client.decide(NPL_4, { asOf: AS_OF });
    const forged = { ...d, policy: { ...d.policy, hash: '0'.repeat(64) } };
    await expectError(await t.req('POST', '/api/v1/decisions/reported', { as: 'ingest', json: { client: 'x', decisions: [{ facts: NPL_4, decision: forged }] } }), 422, 'bundle.policy-mismatch');
    await expectError(await t.req('POST', '/api/v1/decisions/reported', { as: 'ingest', json: { client: 'x', decisions: [] } }), 400, 'http.invalid-body');
    await expectError(await t.req('POST', '/api/v1/decisions/reported', { as: 'ingest', json: { decisions: [{ facts: NPL_4, decision: d }] } }), 400, 'http.invalid-body');
    // Only caller systems (and admin) report.
    await expectError(await t.req('POST', '/api/v1/decisions/reported', { as: '李四', json: { client: 'x', decisions: [{ facts: NPL_4, decision: d }] } }), 403, 'auth.forbidden');
    await client.close();
  });

  it('refuses a bundle whose signature does not check, and keeps the one it holds', async () => {
    const errors: string[] = [];
    let tamper = false;
    const fetchTampered: typeof fetch = async (input, init) => {
      const res = await appFetch(input, init);
      if (!tamper || res.status !== 200 || !String(input).includes('/bundles/')) return res;
      const body = (await res.json()) as SignedBundle;
      body.bundle.versions[0]!.effectiveFrom = '2015-06-02';
      return new Response(JSON.stringify(body), { status: 200, headers: { etag: '"forged"', 'content-type': 'application/json' } });
    };
    const client = await BundleClient.open({ url: 'http://app', token: t.tokens.ingest!, policy: 'demo2/loan', publicKey, fetch: fetchTampered, onError: (e) => errors.push(e.message) });
    const before = client.status().etag;
    tamper = true;
    // Forces a full answer: the held ETag would get a 304.
    (client as unknown as { held: { etag: string } }).held.etag = '"x"';
    expect(await client.refresh()).toBe('refused');
    expect(errors.join('\n')).toMatch(/signature/);
    expect(client.status().versions).toEqual(['2016.1@2015-06-01']);
    expect(before).toMatch(/^"/);
    expect(client.decide(NPL_4, { asOf: AS_OF }).policy.id).toBe('demo2/loan');
    await client.close();
  });
});
