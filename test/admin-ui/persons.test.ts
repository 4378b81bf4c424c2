/**
 * The persons page in a real browser: an admin creates a reviewer, who waits; the admin who asked
 * is not offered the approval; a second admin approves; the new reviewer's token then works, and a
 * pending person who logs in is told they wait; disabling stops the token, and enabling a reviewer
 * waits for the other admin again. Screenshot: test-artifacts/screenshots/persons.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function see(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible' });
}

async function loginAs(token: string, hash: string): Promise<Page> {
  const page = await h.open(undefined, hash);
  await page.getByLabel('访问令牌').fill(token);
  await page.getByRole('button', { name: '登录' }).click();
  return page;
}

describe('persons page', () => {
  it('creates a pending reviewer, hides approval from the admin who asked, and a second admin approves', async () => {
    const page = await h.open('admin', '#/persons');
    await see(page, '人员与授权');
    await page.getByLabel('姓名').fill('新审核员');
    await page.getByLabel('角色').selectOption('reviewer');
    await page.getByLabel('辖区').fill('gansu');
    await page.getByRole('button', { name: '新建人员' }).click();
    await see(page, '已创建 新审核员;授权待另一位管理员批准');
    const row = page.getByRole('row').filter({ hasText: '新审核员' });
    await expect(row.getByText('待批准').first().isVisible()).resolves.toBe(true);
    expect(await row.getByRole('button', { name: '批准' }).count()).toBe(0);
    await page.context().close();

    const persons = (await (await fetch(`${h.server.url}/api/v1/persons`, { headers: { authorization: `Bearer ${h.tokens.admin}` } })).json()) as { items: { id: number; name: string }[] };
    const id = persons.items.find((p) => p.name === '新审核员')!.id;
    const issued = (await (
      await fetch(`${h.server.url}/api/v1/persons/${id}/tokens`, { method: 'POST', headers: { authorization: `Bearer ${h.tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'reviewer' }) })
    ).json()) as { token: string };
    const waiting = await loginAs(issued.token, '#/library');
    await see(waiting, '您的授权尚待另一位管理员批准');
    expect(await waiting.getByRole('navigation').getByRole('link').count()).toBe(0);
    await waiting.context().close();

    const second = (await h.server.deps.auth.create('admin', '管理员乙', 'test')).token;
    const other = await loginAs(second, '#/persons');
    const row2 = other.getByRole('row').filter({ hasText: '新审核员' });
    await row2.getByRole('button', { name: '批准' }).click();
    await see(other, '已批准 新审核员');
    await h.shot(other, 'persons');
    await other.context().close();
    const me = (await (await fetch(`${h.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${issued.token}` } })).json()) as { pending: boolean; scope: string[] };
    expect(me).toMatchObject({ pending: false, scope: ['gansu'] });

    // Disabled by an admin, the reviewer's token stops; enabled again, the grant waits for the other admin.
    const admin = await h.open('admin', '#/persons');
    const row3 = admin.getByRole('row').filter({ hasText: '新审核员' });
    await row3.getByRole('button', { name: '停用' }).click();
    await see(admin, '已停用 新审核员,其令牌不再有效');
    expect((await fetch(`${h.server.url}/api/v1/me`, { headers: { authorization: `Bearer ${issued.token}` } })).status).toBe(401);
    await row3.getByRole('button', { name: '启用' }).click();
    await see(admin, '已启用 新审核员;其审核员或管理员授权待另一位管理员批准');
    expect(await row3.getByRole('button', { name: '批准' }).count()).toBe(0);
    await admin.context().close();
  });

  it('is not offered to a reviewer', async () => {
    const page = await h.open('reviewer', '#/library');
    await see(page, '审核人丙');
    expect(await page.getByRole('navigation').getByRole('link', { name: '人员' }).count()).toBe(0);
    await page.context().close();
  });
});
