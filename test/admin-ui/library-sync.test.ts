/**
 * The library page's "propose library updates" (admin only), in a real Chromium against the real
 * server: check the folder, propose what is new as a draft, and a viewer is not offered it.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
let lib: string;

beforeAll(async () => {
  h = await startHarness();
  // The server's folder: the library it was seeded with and one policy more.
  lib = mkdtempSync(join(tmpdir(), 'tiaowen-ui-lib-'));
  cpSync(join(import.meta.dirname, '../../policies'), lib, { recursive: true });
  mkdirSync(join(lib, 'uitest/new'), { recursive: true });
  writeFileSync(
    join(lib, 'uitest/new/new.policy'),
    `policy "uitest/new"
  title "界面测试"
  jurisdiction uitest
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
`,
  );
  h.server.deps.policiesDir = lib;
});

afterAll(async () => {
  await h?.close();
  rmSync(lib, { recursive: true, force: true });
});

describe('library page: propose library updates', () => {
  it('an admin checks the folder, then proposes the new policy as a draft', async () => {
    const page = await h.open('admin', '#/library');
    await page.getByText('提出政策库更新').click();
    await page.getByRole('button', { name: '检查政策库目录' }).click();
    const row = page.locator('tr[data-row="uitest/new@1"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('待提出');
    await page.getByRole('button', { name: '作为草稿提出 1 项' }).click();
    await page.getByText('已提出 1 个草稿,待审核。').waitFor();
    await expect(row.textContent()).resolves.toMatch(/已提出.*#\d+/);
    const drafts = (await (await fetch(`${h.server.url}/api/v1/drafts`, { headers: { authorization: `Bearer ${h.tokens.admin}` } })).json()) as { items: { policyId: string }[] };
    expect(drafts.items.map((d) => d.policyId)).toContain('uitest/new');
    await page.context().close();
  });

  it('is not offered to a viewer', async () => {
    const page = await h.open('viewer', '#/library');
    await page.locator('article[data-policy]').first().waitFor();
    expect(await page.locator('details[data-sync]').count()).toBe(0);
    await page.context().close();
  });
});
