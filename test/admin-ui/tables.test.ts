/**
 * End to end, a decision table in the admin UI: edit it in the grid, paste three rows copied from
 * Excel (TSV on the clipboard), see the overlapping row's diagnostic on the row, save, evaluate on
 * the Try page, and find the row that hit highlighted; import a table from an XLSX sheet whose
 * headers name the facts. Real server, built UI, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const SOURCE = `policy "test/loan-class"
  title "贷款分类"
  jurisdiction test
  version "1"
  effective from 2024-01-01
  source 办法 "管理办法"

facts
  逾期天数 "逾期天数": integer

table 分类 "贷款五级分类" en "Loan class"
  hit unique
  columns 逾期天数
  row 正常: < 0 gives "正常"
    cites 办法 "第三条"
`;

describe('decision table grid', () => {
  it('edits a table in the grid, pastes rows from Excel, shows the overlap on its row, saves, and the Try page highlights the row hit', async () => {
    const created = await fetch(`${h.server.url}/api/v1/drafts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.author}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: SOURCE, format: 'dsl' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };

    const page = await h.open('author', `#/editor/${id}`);
    await page.locator('.cm-content').waitFor();
    await page.getByTestId('grid-toggle').click();
    const grid = page.getByTestId('table-grid');
    await grid.waitFor();

    // Edit a cell: 正常 is "not overdue", < 1 day.
    const cell = grid.getByLabel('行 1 · 逾期天数');
    await cell.fill('< 1');
    await cell.press('Tab');
    // The draft opens in the keywords of the interface language (Chinese).
    await page.locator('.cm-line', { hasText: '行 正常: < 1 取值 "正常"' }).first().waitFor();

    // Paste three rows copied from Excel into a new row, from its first field on.
    await grid.getByRole('button', { name: '加一行' }).click();
    const first = grid.getByLabel('行 2 · 行');
    await first.focus();
    const tsv = ['关注\tbetween 1 and 90\t"关注"\t办法\t第三条', '不良\t>= 90\t"不良"\t办法\t第四条', '损失\t>= 360\t"损失"\t办法\t第五条'].join('\n');
    await first.evaluate((el, text) => {
      const data = new DataTransfer();
      data.setData('text/plain', text);
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, composed: true, cancelable: true }));
    }, tsv);
    await expect.poll(() => grid.getByTestId('table-row').count()).toBe(4);
    expect(await grid.getByLabel('行 4 · 逾期天数').inputValue()).toBe('>= 360');

    // 关注 (1–90 inclusive) and 不良 (>= 90) share 90; 不良 and 损失 share 360 and up.
    const rowDiag = grid.getByTestId('row-diagnostic');
    await rowDiag.first().waitFor();
    expect(await rowDiag.allInnerTexts()).toEqual(['决策表 分类 命中规则为唯一,但行 关注 与行 不良 可以同时成立', '决策表 分类 命中规则为唯一,但行 不良 与行 损失 可以同时成立']);
    await h.shot(page, 'table-grid');

    await page.getByRole('button', { name: '保存' }).click();
    await page.getByText(/已保存/).first().waitFor();
    const saved = (await (await fetch(`${h.server.url}/api/v1/drafts/${id}`, { headers: { authorization: `Bearer ${h.tokens.author}` } })).json()) as { source: string };
    expect(saved.source).toContain('行 损失: >= 360 取值 "损失"\n    引用 办法 "第五条"');
    await page.context().close();

    // Evaluate the saved draft: 30 days overdue is 关注.
    const tryPage = await h.open('author', `#/try?policy=draft:${id}&asOf=2025-01-01`);
    await tryPage.locator('#f-逾期天数').fill('30');
    await tryPage.locator('#f-逾期天数').press('Tab');
    await tryPage.getByRole('button', { name: '计算' }).click();
    const hitRow = tryPage.locator('[data-testid=results] tw-table-grid tr[data-hit=true]');
    await hitRow.first().waitFor();
    expect(await hitRow.count()).toBe(1);
    expect(await hitRow.getAttribute('data-rule')).toBe('分类.关注');
    await h.shot(tryPage, 'table-try');
    await tryPage.context().close();
  });

  it('imports a table from an XLSX sheet whose headers name the facts', async () => {
    const created = await fetch(`${h.server.url}/api/v1/drafts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.author}`, 'content-type': 'application/json' },
      body: JSON.stringify({ source: SOURCE.replace('test/loan-class', 'test/loan-class-2'), format: 'dsl' }),
    });
    const { id } = (await created.json()) as { id: number };
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('分类');
    ws.addRows([
      ['行', '逾期天数', '取值', '来源', '条款'],
      ['正常', '< 1', '"正常"', '办法', '第三条'],
      ['关注', 'between 1 and 89', '"关注"', '办法', '第三条'],
      ['不良', '>= 90', '"不良"', '办法', '第四条'],
    ]);
    const buffer = Buffer.from(await wb.xlsx.writeBuffer());

    const page = await h.open('author', `#/editor/${id}`);
    await page.locator('.cm-content').waitFor();
    await page.getByTestId('grid-toggle').click();
    const grid = page.getByTestId('table-grid');
    await grid.getByTestId('table-import').setInputFiles({ name: '分类.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    await expect.poll(() => grid.getByTestId('table-row').count()).toBe(3);
    expect(await grid.getByLabel('行 2 · 逾期天数').inputValue()).toBe('between 1 and 89');
    await page.locator('.cm-line', { hasText: '行 不良: >= 90 取值 "不良"' }).first().waitFor();
    await page.getByTestId('no-diagnostics').waitFor();
    await page.context().close();
  });
});
