/**
 * `POST /api/v1/library/sync`: the server proposes its own library folder as drafts (admin only),
 * every response checked against the OpenAPI document by the test app.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LibrarySyncResponse } from '../../../server/wire.ts';
import { expectError, FIXTURE_POLICIES, makeApp, type TestApp } from '../helpers.ts';

const NEW_POLICY = `policy "demo/new"
  title "新政策"
  jurisdiction demo
  version "1"
  effective from 2020-01-01
  source 办法 "测试办法"

facts
  违规 "违规": boolean

rule r1 "规则"
  cites 办法 "第一条"
  when 违规
  then violation
    message "违规"
`;

let t: TestApp;
let lib: string;
beforeEach(async () => {
  t = await makeApp();
  // The folder the server proposes from: its seed (the fixtures) and one policy more.
  lib = mkdtempSync(join(tmpdir(), 'tiaowen-lib-'));
  cpSync(FIXTURE_POLICIES, lib, { recursive: true });
  mkdirSync(join(lib, 'demo/new'), { recursive: true });
  writeFileSync(join(lib, 'demo/new/new.policy'), NEW_POLICY);
  t.deps.policiesDir = lib;
});
afterEach(async () => {
  await t.close();
  rmSync(lib, { recursive: true, force: true });
});

const sync = async (body?: unknown) => {
  const res = await t.req('POST', '/api/v1/library/sync', { as: 'admin', ...(body === undefined ? {} : { json: body }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as LibrarySyncResponse).items;
};
const drafts = async () => ((await (await t.req('GET', '/api/v1/drafts', { as: 'admin' })).json()) as { items: { id: number; policyId: string; author: string }[] }).items;

describe('POST /api/v1/library/sync', () => {
  it('dry run: the new policy would be proposed, the seeded ones are up to date, nothing is created', async () => {
    const rows = await sync({ dryRun: true });
    expect(rows.find((r) => r.policy === 'demo/new')).toMatchObject({ status: 'would-propose', change: 'new-policy' });
    expect(rows.filter((r) => r.policy !== 'demo/new').every((r) => r.status === 'up-to-date')).toBe(true);
    expect(await drafts()).toEqual([]);
  });

  it('proposes the new policy as a draft by the admin; a second call proposes nothing', async () => {
    const rows = await sync();
    const row = rows.find((r) => r.policy === 'demo/new')!;
    expect(row.status).toBe('proposed');
    const made = await drafts();
    expect(made).toEqual([expect.objectContaining({ id: row.draft, policyId: 'demo/new', author: 'admin' })]);
    const again = await sync();
    expect(again.find((r) => r.policy === 'demo/new')).toMatchObject({ status: 'already-proposed', draft: row.draft });
    expect((await drafts()).length).toBe(1);
  });

  it('is for administrators only', async () => {
    await expectError(await t.req('POST', '/api/v1/library/sync', { as: '张三', json: {} }), 403, 'auth.forbidden');
    expect(await drafts()).toEqual([]);
  });

  it('without a library folder: 409 library.none', async () => {
    t.deps.policiesDir = undefined;
    await expectError(await t.req('POST', '/api/v1/library/sync', { as: 'admin', json: {} }), 409, 'library.none');
  });
});
