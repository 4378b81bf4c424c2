/**
 * End to end, the reviewer's afternoon (issue #21): a county ledger whose headers need mapping is
 * simulated against a draft, grouped by its county column, exported as an XLSX report that is read
 * back, printed without navigation, attached to the review, and found on the approver's page
 * before the approve button. Rules are named by title, never by id.
 */
import { readFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

async function call(role: keyof Harness['tokens'], method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${h.tokens[role]}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** A draft of gansu/poverty-loan whose per-household cap is raised from 5万元 to 6万元. */
async function raisedCapDraft(): Promise<number> {
  const created = await call('author', 'POST', '/drafts', { from: { policy: 'gansu/poverty-loan', version: '2015.1' } });
  expect(created.status).toBe(201);
  const d = (await created.json()) as { id: number; source: string };
  const source = d.source
    .replace('  5万元 from 2015-06-01', '  6万元 from 2015-06-01')
    .replace('version "2015.1"', 'version "2015.3"')
    .replace('  effective from 2015-06-01', '  effective from 2016-02-01');
  expect(source).toContain('6万元 from 2015-06-01');
  const saved = await call('author', 'PUT', `/drafts/${d.id}`, { source }, { 'if-match': created.headers.get('etag')! });
  expect(saved.status).toBe(200);
  return d.id;
}

const COUNTIES = ['城关区', '七里河区', '榆中县'];

/** A county ledger: a county column (no fact), one header the server cannot match, 30 loans of 4万–6.9万. */
async function ledger(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('台账');
  ws.addRow(['县区', '借款人类型', '建档立卡贫困户', '贷款用途', '申请金额(台账)', '贷款期限月数']);
  for (let i = 0; i < 30; i++) ws.addRow([COUNTIES[i % 3], '贫困户', '是', '养殖', 40000 + i * 1000, 24]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Rule rows and items name rules by a Chinese title with its article; the id is small print only. */
async function expectTitlesNotIds(where: Locator): Promise<void> {
  const rows = where.locator('[data-rule]');
  expect(await rows.count()).toBeGreaterThan(0);
  for (const row of await rows.all()) {
    const id = (await row.getAttribute('data-rule'))!;
    const title = (await row.locator('.title').first().innerText()).trim();
    expect(title).not.toBe(id);
    expect(title).toMatch(/[\u4e00-\u9fff]/);
    await expect(row.locator('.cite').first().innerText()).resolves.toMatch(/[\u4e00-\u9fff]/);
  }
}

describe('impact report', () => {
  it('maps a ledger, groups by county, exports and reads back the XLSX, prints, attaches to the review and shows it to the approver', async () => {
    const draft = await raisedCapDraft();
    const page = await h.open('author', '#/simulate');
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption(`draft:${draft}`);
    await page.locator('#asof').fill('2017-06-30');
    await page.locator('#file').setInputFiles({ name: '县级台账.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await ledger() });
    await page.getByRole('button', { name: '开始模拟' }).click();

    // The headers need mapping: the county column is kept for grouping, the amount is a fact.
    const form = page.locator('[data-testid=mapping]');
    await form.waitFor();
    await form.locator('select[data-header="县区"]').selectOption('@keep');
    await form.locator('select[data-header="申请金额(台账)"]').selectOption('贷款金额');
    await page.getByRole('button', { name: '按此对照开始模拟' }).click();
    await page.waitForURL(/#\/simulate\/job_/);
    const job = /#\/simulate\/(job_[^/?]+)/.exec(page.url())![1]!;
    await page.getByText('模拟完成').first().waitFor();

    // Group by the county column: a table and a chart, one row per county.
    const report = page.locator('[data-testid=report]');
    await report.locator('[data-testid=report-summary]').waitFor();
    await page.locator('#report-by').selectOption('县区');
    const groups = report.locator('[data-testid=report-groups] tbody tr');
    await expect.poll(() => groups.count()).toBe(3);
    const rows = (await groups.allInnerTexts()).map((t) => t.split('\t').map((c) => c.trim()));
    expect(rows.map((r) => r[0]).sort()).toEqual([...COUNTIES].sort());
    for (const r of rows) expect(r[1]).toBe('10');
    const changedInGroups = rows.reduce((n, r) => n + Number(r[2]), 0);
    expect(changedInGroups).toBeGreaterThan(0);
    await report.locator('[data-testid=report-breakdown] tw-bar-chart svg rect').first().waitFor();
    await expectTitlesNotIds(report.locator('[data-testid=report-rules]'));
    await expect(report.locator('[data-testid=report-summary]').innerText()).resolves.toContain(`共 30 条记录,其中 ${changedInGroups} 条`);
    await h.shot(page, 'report');

    // Export the XLSX report and read its sheets back.
    const download = page.waitForEvent('download');
    await report.getByRole('button', { name: '导出 XLSX 报告' }).click();
    const got = await download;
    expect(got.suggestedFilename()).toBe(`${job}-report.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await got.path())!)) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((s) => s.name)).toEqual(['摘要 Summary', '分组 Breakdown', '变化记录 Changed records']);
    const sheetRows = (name: string) => {
      const out: unknown[][] = [];
      wb.getWorksheet(name)!.eachRow((row) => out.push((row.values as unknown[]).slice(1)));
      return out;
    };
    const breakdown = sheetRows('分组 Breakdown');
    expect(breakdown[0]![0]).toBe('县区');
    expect(breakdown.slice(1).map((r) => [r[0], r[1], r[2]]).sort()).toEqual(rows.map((r) => [r[0], Number(r[1]), Number(r[2])]).sort());
    const changed = sheetRows('变化记录 Changed records');
    expect(changed.length - 1).toBe(changedInGroups);
    expect(changed.slice(1).every((r) => COUNTIES.includes(String(r[1])))).toBe(true);
    expect(changed.slice(1).map((r) => String(r[2])).join('\n')).not.toMatch(/[a-z]+_[a-z]+/);
    expect(sheetRows('摘要 Summary').flat().join(' ')).toContain(`共 30 条记录,其中 ${changedInGroups} 条`);

    // The print view: the report alone; printed, no navigation.
    await report.getByRole('link', { name: '打印报告' }).click();
    await page.waitForURL(new RegExp(`#/simulate/${job}/report\\?by=`));
    const printed = page.locator('[data-testid=report-print]');
    await printed.locator('[data-testid=report-groups] tbody tr').first().waitFor();
    await page.emulateMedia({ media: 'print' });
    await expect(page.getByRole('navigation').isVisible()).resolves.toBe(false);
    await expect(printed.getByRole('button', { name: '打印' }).isVisible()).resolves.toBe(false);
    await expect(printed.locator('[data-testid=report-groups]').isVisible()).resolves.toBe(true);
    await h.shot(page, 'report-print');
    await page.emulateMedia({ media: 'screen' });
    await printed.getByRole('link', { name: '返回模拟结果' }).click();

    // Attach it to the draft's review, grouped as chosen.
    await report.locator('[data-testid=report-summary]').waitFor();
    await report.getByRole('button', { name: '附到审核草稿' }).click();
    await expect(report.locator('[data-testid=report-note]').innerText()).resolves.toContain(`已附到草稿 ${draft}`);
    await page.context().close();
    expect((await call('author', 'POST', `/drafts/${draft}/submit`, {})).status).toBe(200);

    // The approver finds the report on the review page, before the approve button.
    const review = await h.open('reviewer', '#/review');
    const card = review.locator(`article[data-draft="${draft}"]`);
    const attached = card.locator(`[data-testid=attached-report][data-job="${job}"]`);
    await attached.locator('[data-testid=report-groups] tbody tr').first().waitFor();
    await expect(attached.locator('[data-testid=report-groups]').innerText()).resolves.toContain('榆中县');
    await expect(attached.innerText()).resolves.toContain('起草人甲');
    await expectTitlesNotIds(attached.locator('[data-testid=report-rules]'));
    const before = await card.evaluate((el) => {
      const reports = el.querySelector('[data-testid=review-reports]');
      const approve = [...el.querySelectorAll('button')].find((b) => b.textContent?.trim() === '批准');
      return !!reports && !!approve && (reports.compareDocumentPosition(approve) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
    });
    expect(before).toBe(true);
    await h.shot(review, 'review-report');
    await review.context().close();
  });
});
