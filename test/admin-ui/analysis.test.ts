/**
 * The editor's analysis findings in a real browser: the server's solver answers after typing
 * stops, the findings are CodeMirror warnings with the counterexample in the tooltip and a "try
 * it" action, and typing never waits for the server (a request held back does not hold the keys,
 * and the stale one is dropped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Route } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  // The analysis thread loads Z3 once per server; do it before the first page asks.
  h.server.deps.engine.analyzer().warm();
});
afterAll(async () => {
  await h?.close();
});

const SOURCE = `policy "demo/analysis-ui"
  title "分析界面示例"
  jurisdiction demo
  version "1"
  effective from 2025-01-01
  source 办法 "示例办法"

facts
  贷款金额 "贷款金额": money

rule amount_cap "单户贷款不超过五万元"
  cites 办法 "第一条"
  when 贷款金额 > 5万元
  then ineligible severity medium
    message "贷款金额超过单户上限" en "Loan amount above the cap"

rule big_loans_welcome "一万元以上可以申请"
  cites 办法 "第二条"
  when 贷款金额 > 1万元
  then eligible
    message "可以申请" en "May apply"
`;

async function draftWith(source: string): Promise<number> {
  const res = await fetch(`${h.server.url}/api/v1/drafts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.tokens.author}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

const docText = (page: Page) => page.locator('.cm-content').evaluate((el) => (el as HTMLElement).innerText);

describe('analysis in the editor', () => {
  it('shows a conflict as a warning with its counterexample, and "try" opens it on the Try page', async () => {
    const id = await draftWith(SOURCE);
    const page = await h.open('author', `#/editor/${id}`);
    await page.locator('.cm-content').waitFor();
    const finding = page.locator('.cm-lintRange-warning.tw-finding').first();
    await finding.waitFor({ timeout: 45_000 });
    await finding.hover();
    const tooltip = page.locator('.cm-tooltip-lint');
    await tooltip.waitFor();
    await expect.poll(() => tooltip.innerText()).toContain('big_loans_welcome');
    expect(await tooltip.innerText()).toMatch(/反例:\d{4}-\d{2}-\d{2} 时,事实 \{"贷款金额":/);
    // Syntax diagnostics are untouched: the list beside the editor still says no problems.
    await page.locator('[data-testid=no-diagnostics]').waitFor();
    await tooltip.getByRole('button', { name: '用这个反例试算' }).click();
    await page.waitForURL(new RegExp(`#/try\\?policy=draft(%3A|:)${id}`));
    expect(page.url()).toMatch(/asOf=\d{4}-\d{2}-\d{2}/);
    await page.getByRole('button', { name: 'JSON' }).click();
    expect(await page.locator('textarea#json').inputValue()).toContain('贷款金额');
    await page.context().close();
  });

  it('a dead condition typed in appears as an analysis warning after typing stops; typing never waits for the server', async () => {
    const id = await draftWith(SOURCE);
    const page = await h.open('author', `#/editor/${id}`);
    const content = page.locator('.cm-content');
    await content.waitFor();
    // The first analysis (of the saved text) must be done before the test holds requests back.
    await page.locator('.tw-finding').first().waitFor({ timeout: 45_000 });

    // Hold every analysis request until released: the browser must not wait for it.
    const held: Route[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await page.route('**/api/v1/analyze', async (route) => {
      held.push(route);
      await gate;
      await route.continue().catch(() => undefined); // the page may have dropped it meanwhile
    });
    const aborted: string[] = [];
    page.on('requestfailed', (r) => {
      if (r.url().endsWith('/api/v1/analyze')) aborted.push(r.failure()?.errorText ?? '');
    });

    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nrule impossible "不可能的条件"\n  cites 办法 "第三条"\n  when 贷款金额 > 10万元 and 贷款金额 < 1万元\n  then ineligible severity low\n    message "不可能" en "never"\n');
    // Quiet time passes: a request goes out and is held by the server side of the test.
    await expect.poll(() => held.length, { timeout: 20_000 }).toBeGreaterThan(0);
    // Keys typed while it is outstanding land at once.
    await page.keyboard.type('# 说明');
    await expect.poll(() => docText(page)).toContain('# 说明');
    // The edit made the held request stale: the page drops it.
    await expect.poll(() => aborted.length, { timeout: 20_000 }).toBeGreaterThan(0);
    // Let the next request through: the dead rule is reported on its `when`.
    release();
    await page.unroute('**/api/v1/analyze');
    // The mark may be split by highlighting: look for it inside the line of the `when`.
    const dead = page.locator('.cm-line', { hasText: '10万元' }).locator('.cm-lintRange-warning.tw-finding');
    await dead.first().waitFor({ timeout: 45_000 });
    await dead.first().hover();
    await expect.poll(() => page.locator('.cm-tooltip-lint').innerText()).toContain('impossible');
    await h.shot(page, 'editor-analysis');
    await page.context().close();
  });
});
