/**
 * End to end: the real server, the built UI, a real Chromium. For each page the main path and
 * one error path, and a screenshot of each page (test-artifacts/screenshots/<page>.png).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startHarness, type Harness } from './harness.ts';
import { jobFailure } from '../../server/jobs.ts';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

/** Calls the API as `role` (setting up data the way another person would). */
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
  // A new label in force from a new day (two versions may not take effect on the same day).
  const source = d.source
    .replace('  5万元 from 2015-06-01', '  6万元 from 2015-06-01')
    .replace('version "2015.1"', 'version "2015.2"')
    .replace('  effective from 2015-06-01', '  effective from 2016-01-01');
  expect(source).toContain('effective from 2016-01-01');
  const saved = await call('author', 'PUT', `/drafts/${d.id}`, { source }, { 'if-match': created.headers.get('etag')! });
  expect(saved.status).toBe(200);
  return d.id;
}

/** The text of the page, shadow roots included (Playwright's locators pierce them). */
async function see(page: Page, text: string | RegExp): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible' });
}

describe('login and shell', () => {
  it('logs in with a token, remembers the English switch, offers only what the role may do', async () => {
    const page = await h.open(undefined, '#/library');
    await see(page, '请输入管理员发放的访问令牌');
    await page.getByLabel('访问令牌').fill(h.tokens.viewer);
    await page.getByRole('button', { name: '登录' }).click();
    await see(page, '查看者丁');
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('link', { name: '政策库' }).isVisible()).resolves.toBe(true);
    // A viewer may not review, simulate or evaluate: those pages are not offered.
    expect(await nav.getByRole('link', { name: '审核' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: '模拟' }).count()).toBe(0);
    await page.getByRole('button', { name: '切换为英文界面' }).click();
    await see(page, 'Policy library');
    await page.reload();
    await see(page, 'Policy library');
    await h.shot(page, 'login-en');
    await page.context().close();
  });

  it('refuses a wrong token in words', async () => {
    const page = await h.open(undefined, '#/library');
    await page.getByLabel('访问令牌').fill('tw_not-a-real-token');
    await page.getByRole('button', { name: '登录' }).click();
    await see(page, /访问令牌无效/);
    await h.shot(page, 'login-error');
    await page.context().close();
  });
});

describe('library', () => {
  it('groups policies by jurisdiction, shows what is in force, searches', async () => {
    const page = await h.open('viewer', '#/library');
    await see(page, '政策库');
    await page.locator('article[data-policy]').first().waitFor();
    const count = await page.locator('article[data-policy]').count();
    expect(count).toBeGreaterThan(2);
    await expect(page.getByRole('heading', { name: /甘肃省/ }).count()).resolves.toBeGreaterThan(0);
    await h.shot(page, 'library');
    await page.getByLabel('搜索政策').fill('panjin');
    await page.waitForFunction(() => true);
    const after = await page.locator('article[data-policy]').count();
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThan(count);
    await page.getByLabel('搜索政策').fill('没有这种政策zzz');
    await see(page, /没有符合/);
    await page.context().close();
  });

  it('lays out on a large monitor', async () => {
    const page = await h.open('author', '#/library', { width: 1920, height: 1080 });
    await page.locator('article[data-policy]').first().waitFor();
    await h.shot(page, 'library-1920');
    await page.evaluate(() => (location.hash = '#/policy/gansu/poverty-loan'));
    await page.locator('table[data-testid=rules] tbody tr').first().waitFor();
    await h.shot(page, 'policy-1920');
    await page.evaluate(() => (location.hash = '#/try?policy=gansu/poverty-loan'));
    await page.locator('tw-fact-form').waitFor();
    await h.shot(page, 'try-1920');
    // Nothing wider than the window: no sideways scrolling of the page itself.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1920);
    await page.context().close();
  });

  it('says in words when the server cannot be reached, and retries', async () => {
    const page = await h.open('viewer', '#/library');
    await see(page, '政策库');
    await page.route('**/api/v1/policies**', (r) => r.abort());
    await page.reload();
    await see(page, /无法连接服务器/);
    await h.shot(page, 'library-error');
    await page.unroute('**/api/v1/policies**');
    await page.getByRole('button', { name: '重试' }).click();
    await page.locator('article[data-policy]').first().waitFor();
    await page.context().close();
  });
});

describe('policy version', () => {
  it('shows rules in words, parameters with dates, facts, source, variants', async () => {
    const page = await h.open('viewer', '#/library');
    const first = page.locator('article[data-policy] h3 a').first();
    await first.click();
    await page.locator('table[data-testid=rules] tbody tr').first().waitFor();
    await see(page, '事实结构');
    await see(page, '继承此政策的政策');
    expect(await page.locator('tw-source-view .keyword').count()).toBeGreaterThan(3);
    await h.shot(page, 'policy');
    await page.context().close();
  });

  it('marks personal facts and says how long decisions are kept', async () => {
    const page = await h.open('viewer', '#/policy/gansu/law-enforcement');
    await page.locator('table[data-testid=facts] tbody tr').first().waitFor();
    // An officer's name: personal, read by no rule, so masked before logging.
    const name = page.locator('tr[data-fact=执法人员] [data-privacy=masked]');
    await expect(name.count()).resolves.toBe(1);
    await expect(name.textContent()).resolves.toContain('记录前脱敏');
    await see(page, /决定记录保留 365 天/);
    await page.context().close();
  });

  it('says a policy does not exist', async () => {
    const page = await h.open('viewer', '#/policy/nowhere/nothing');
    await see(page, /没有这个政策/);
    await h.shot(page, 'policy-error');
    await page.context().close();
  });
});

describe('editor', () => {
  it('drafts from a version, shows live diagnostics, switches to YAML, saves and submits', async () => {
    const page = await h.open('author', '#/policy/gansu/poverty-loan');
    await page.getByRole('button', { name: '基于此版本起草' }).click();
    await page.waitForURL(/#\/editor\/\d+/);
    const content = page.locator('.cm-content');
    await content.waitFor();
    await see(page, '没有发现问题。');
    // Break the policy: a name nobody declared.
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nrule broken "坏规则"\n  cites 指南 "二"\n  when 没有这个事实 > 0\n  then violation\n    message "x"\n');
    await page.locator('[data-testid=diagnostics] li').first().waitFor();
    expect(await page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    await h.shot(page, 'editor');
    // Completion offers the policy's own names and the keywords.
    await page.keyboard.type('贷款期');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete li', { hasText: '贷款期限月数' }).first().waitFor();
    await page.keyboard.press('Escape');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Backspace');
    // Undo the break, then the YAML view converts the valid text.
    // Undo until the break is gone (typing is grouped into undo steps by time, so count freely).
    for (let i = 0; i < 40 && !(await page.locator('[data-testid=no-diagnostics]').isVisible()); i++) {
      await page.keyboard.press('Control+z');
      await page.waitForTimeout(100);
    }
    await see(page, '没有发现问题。');
    await page.getByRole('button', { name: 'YAML' }).click();
    await page.locator('.cm-line', { hasText: 'jurisdiction: gansu' }).first().waitFor();
    await page.getByRole('button', { name: '条文语言' }).click();
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# 修订说明\n');
    await page.getByRole('button', { name: '保存' }).click();
    await see(page, /已保存/);
    await page.getByRole('button', { name: '提交审核' }).click();
    await see(page, '已提交审核');
    await see(page, /不能编辑/);
    await page.context().close();
  });

  it('opens a draft in the keywords of the interface language, and switching keeps the meaning', async () => {
    const created = await call('author', 'POST', '/drafts', { from: { policy: 'gansu/poverty-loan', version: '2015.1' } });
    const { id, source } = (await created.json()) as { id: number; source: string };
    expect(source).toMatch(/^policy /m); // stored with English keywords
    const page = await h.open('author', `#/editor/${id}`);
    const content = page.locator('.cm-content');
    await content.waitFor();
    await page.locator('.cm-line', { hasText: /^政策/ }).first().waitFor();
    await see(page, /已按您的界面语言显示关键字/);
    await see(page, '没有发现问题。');
    expect(await page.getByText('有未保存的修改').count()).toBe(0); // same meaning: nothing to save
    await page.getByRole('button', { name: '英文关键字' }).click();
    await page.locator('.cm-line', { hasText: /^policy / }).first().waitFor();
    await page.getByRole('button', { name: '中文关键字' }).click();
    await page.locator('.cm-line', { hasText: /^政策/ }).first().waitFor();
    // Saved in Chinese, the draft compiles to the very policy it came from.
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# 中文关键字\n');
    await page.getByRole('button', { name: '保存' }).click();
    await see(page, /已保存/);
    const saved = (await (await call('author', 'GET', `/drafts/${id}`)).json()) as { source: string };
    expect(saved.source).toMatch(/^政策 /m);
    const diff = (await (await call('author', 'GET', `/diff?a=${encodeURIComponent('gansu/poverty-loan@2015.1')}&b=draft:${id}`)).json()) as { semantic: { rules: { added: unknown[]; removed: unknown[]; changed: unknown[] } } };
    expect([diff.semantic.rules.added.length, diff.semantic.rules.removed.length, diff.semantic.rules.changed.length]).toEqual([0, 0, 0]);
    await page.context().close();
  });

  it('shows who saved first instead of overwriting', async () => {
    const created = await fetch(`${h.server.url}/api/v1/drafts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.tokens.author}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: { policy: 'gansu/poverty-loan', version: '2015.1' } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const mine = await h.open('author', `#/editor/${id}`);
    const theirs = await h.open('author2', `#/editor/${id}`);
    for (const p of [mine, theirs]) await p.locator('.cm-content').waitFor();
    for (const [p, note] of [[theirs, '# 乙的修改'], [mine, '# 甲的修改']] as const) {
      await p.locator('.cm-content').click();
      await p.keyboard.press('Control+End');
      await p.keyboard.type(`\n${note}\n`);
      await p.getByRole('button', { name: '保存' }).click();
    }
    await see(theirs, /已保存/);
    await mine.locator('[data-testid=conflict]').waitFor();
    await see(mine, /起草人乙/);
    await h.shot(mine, 'editor-conflict');
    await mine.getByRole('button', { name: /载入对方的版本/ }).click();
    await mine.locator('.cm-line', { hasText: '# 乙的修改' }).first().waitFor();
    // What I had typed stays on screen.
    await mine.locator('[data-testid=mine]', { hasText: '# 甲的修改' }).waitFor();
    await mine.context().close();
    await theirs.context().close();
  });
});

describe('try it', () => {
  it('fills the generated form, shows outcomes with citations and the trace', async () => {
    const page = await h.open('author', '#/try?policy=gansu/poverty-loan&version=2015.1&asOf=2017-06-30');
    await page.locator('tw-fact-form').waitFor();
    await page.getByLabel(/借款人类型/).first().selectOption({ index: 1 });
    await page.locator('#f-贷款金额').fill('60000');
    await page.locator('#f-贷款金额').press('Tab');
    await page.locator('#f-贷款期限月数').fill('36');
    await page.locator('#f-贷款期限月数').press('Tab');
    await page.getByRole('button', { name: '计算' }).click();
    await page.locator('[data-testid=results] tw-decision').first().waitFor();
    await see(page, '推理过程');
    await page.locator('tw-decision .outcome').first().waitFor();
    await h.shot(page, 'try');
    await page.context().close();
  });

  it('previews the decision in the browser as facts are typed, as the server decides it', async () => {
    const page = await h.open('author', '#/try?policy=gansu/poverty-loan&version=2015.1&asOf=2017-06-30');
    const evaluations: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/evaluate')) evaluations.push(r.url());
    });
    await page.locator('tw-fact-form').waitFor();
    await page.getByLabel(/借款人类型/).first().selectOption({ index: 1 });
    await page.locator('#f-贷款金额').fill('60000');
    await page.locator('#f-贷款金额').press('Tab');
    await page.locator('#f-贷款期限月数').fill('36');
    await page.locator('#f-贷款期限月数').press('Tab');
    const preview = page.locator('[data-testid=preview]');
    await preview.locator('li[data-rule]').first().waitFor();
    // Decided in the page by generated code: no request to the server's evaluate.
    expect(evaluations).toEqual([]);
    expect(await preview.getByTestId('preview-note').innerText()).toMatch(/生成代码/);
    const previewed = await preview.locator('li[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    await page.getByRole('button', { name: '计算' }).click();
    await page.locator('[data-testid=results] tw-decision .outcome').first().waitFor();
    const decided = await page.locator('[data-testid=results] tw-decision .outcome').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
    expect(previewed).toEqual(decided);
    expect(evaluations.length).toBe(1);
    // A changed fact changes the preview without asking the server.
    await page.locator('#f-贷款金额').fill('10000');
    await page.locator('#f-贷款金额').press('Tab');
    await expect.poll(async () => JSON.stringify(await preview.locator('li[data-rule]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rule'))))).not.toBe(JSON.stringify(previewed));
    expect(evaluations.length).toBe(1);
    await h.shot(page, 'try-preview');
    await page.context().close();
  });

  it('compares the same facts under a variant side by side', async () => {
    const page = await h.open('reviewer', '#/try?policy=central/responsibility');
    await page.locator('tw-fact-form').waitFor();
    await page.getByText('对比多个版本').click();
    await page.getByRole('checkbox', { name: /gansu\/responsibility@/ }).first().check();
    await page.getByRole('button', { name: '计算' }).click();
    await page.locator('[data-testid=results] > .card').nth(1).waitFor();
    expect(await page.locator('[data-testid=results] > .card').count()).toBe(2);
    await page.locator('[data-testid=results] h3', { hasText: 'gansu/responsibility' }).waitFor();
    await h.shot(page, 'try-compare');
    await page.context().close();
  });

  it('says what is wrong with the facts', async () => {
    const page = await h.open('author', '#/try?policy=gansu/poverty-loan&version=2015.1');
    await page.locator('tw-fact-form').waitFor();
    await page.getByRole('button', { name: 'JSON' }).click();
    await page.locator('#json').fill('{ "贷款金额": "很多钱" }');
    await page.getByRole('button', { name: '计算' }).click();
    await page.locator('tw-state[kind=error]').waitFor();
    await see(page, '/facts/贷款金额');
    await page.locator('#json').fill('{ 不是 JSON');
    await page.getByRole('button', { name: '计算' }).click();
    await see(page, /JSON 格式有误/);
    await h.shot(page, 'try-error');
    await page.context().close();
  });
});

/** Each changed rule is named by its Chinese title and article; its id is only the small print. */
async function expectTitlesNotIds(result: Locator): Promise<void> {
  const items = result.locator('li[data-rule]');
  expect(await items.count()).toBeGreaterThan(0);
  for (const li of await items.all()) {
    const id = (await li.getAttribute('data-rule'))!;
    const title = (await li.locator('strong').innerText()).trim();
    expect(title).not.toBe(id);
    expect(title).toMatch(/[\u4e00-\u9fff]/);
    await expect(li.locator('.cite').innerText()).resolves.toMatch(/[\u4e00-\u9fff]/);
  }
}

describe('diff', () => {
  it('shows the changed threshold and a side-by-side text diff', async () => {
    const id = await raisedCapDraft();
    const page = await h.open('viewer', `#/diff?a=${encodeURIComponent('gansu/poverty-loan@2015.1')}&b=draft:${id}`);
    await page.locator('[data-testid=semantic]').waitFor();
    await see(page, '单户贷款上限');
    await page.locator('tw-text-diff .ins').first().waitFor();
    await h.shot(page, 'diff');
    // The change impact, on request: the cap rule changes verdict, with facts that show it.
    await page.locator('[data-testid=impact]').click();
    const result = page.locator('[data-testid=impact-result]');
    await result.waitFor({ timeout: 60_000 });
    await expect(result.innerText()).resolves.toMatch(/条规则的结论会改变/);
    expect(await result.locator('li[data-rule]').count()).toBeGreaterThan(0);
    await expect(result.innerText()).resolves.toMatch(/示例事实/);
    await expectTitlesNotIds(result);
    // Where the verdict changes, worked out: the amount between the old cap and the new.
    await expect(result.locator('[data-testid=region]').first().innerText()).resolves.toMatch(/5万元 < 申请贷款金额 ≤ 6万元/);
    await h.shot(page, 'diff-impact');
    await page.context().close();
  });

  it('says an unknown version does not exist', async () => {
    const page = await h.open('viewer', `#/diff?a=${encodeURIComponent('gansu/poverty-loan@1999')}&b=${encodeURIComponent('gansu/poverty-loan@2015.1')}`);
    await see(page, /没有这个政策版本/);
    await h.shot(page, 'diff-error');
    await page.context().close();
  });
});

describe('review', () => {
  it('approves a submitted draft, publishes it, and shows the audit trail', async () => {
    const id = await raisedCapDraft();
    expect((await call('author', 'POST', `/drafts/${id}/submit`, {})).status).toBe(200);
    const page = await h.open('reviewer', '#/review');
    const card = page.locator(`article[data-draft="${id}"]`);
    await card.waitFor();
    // Before approving, the reviewer sees what the change does, rule by rule in the regulation's words.
    await card.locator('[data-testid=review-impact] summary').click();
    await card.locator('[data-testid=impact]').click();
    const impact = card.locator('[data-testid=impact-result]');
    await impact.waitFor({ timeout: 60_000 });
    await expectTitlesNotIds(impact);
    await h.shot(page, 'review-impact');
    await card.getByLabel('审核意见').fill('上限调整有文件依据');
    await card.getByRole('button', { name: '批准' }).click();
    await page.locator(`article[data-draft="${id}"]`, { hasText: '已批准' }).waitFor();
    await page.locator(`article[data-draft="${id}"]`).getByRole('button', { name: '发布' }).click();
    await page.locator(`article[data-draft="${id}"]`).waitFor({ state: 'detached' });
    await page.locator('[data-testid=audit] tbody tr').first().waitFor();
    await see(page, 'draft.publish');
    await h.shot(page, 'review');
    await page.context().close();
    const published = await call('viewer', 'GET', '/policies/gansu/poverty-loan');
    expect(((await published.json()) as { versions: { version: string }[] }).versions.map((v) => v.version)).toContain('2015.2');
    // The library names who wrote and who approved the new version; the seed library says it was imported.
    const lib = await h.open('viewer', '#/library');
    const article = lib.locator('article[data-policy="gansu/poverty-loan"]');
    await article.locator('summary').click();
    const row = article.locator('tbody tr', { hasText: '2015.2' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toMatch(/起草人甲[\s\S]*审核人丙/);
    await expect(article.locator('tbody tr', { hasText: '2015.1' }).textContent()).resolves.toMatch(/system[\s\S]*初始导入/);
    await lib.context().close();
  });

  it('asks for a reason to reject, and says when someone else acted first', async () => {
    const created = await call('author', 'POST', '/drafts', { from: { policy: 'gansu/poverty-loan', version: '2015.1' } });
    const { id } = (await created.json()) as { id: number };
    expect((await call('author', 'POST', `/drafts/${id}/submit`, {})).status).toBe(200);
    const page = await h.open('reviewer', '#/review');
    const card = page.locator(`article[data-draft="${id}"]`);
    await card.waitFor();
    await card.getByRole('button', { name: '退回' }).click();
    await see(page, '退回时请写明意见。');
    // Another reviewer (the admin) rejects it first.
    expect((await call('admin', 'POST', `/drafts/${id}/reject`, { comment: '请补充依据' })).status).toBe(200);
    await card.getByRole('button', { name: '批准' }).click();
    await see(page, /草稿当前状态不允许此操作/);
    await h.shot(page, 'review-error');
    await page.context().close();
  });
});

describe('simulate', () => {
  it('runs a dataset under baseline and candidate, charts it, pages the changed records, opens one in Try it', async () => {
    const id = await raisedCapDraft();
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) {
      lines.push(JSON.stringify({ 借款人类型: '贫困户', 建档立卡贫困户: true, 贷款用途: '养殖', 贷款金额: 40000 + (i % 30) * 1000, 贷款期限月数: 24 }));
    }
    const page = await h.open('author', '#/simulate');
    await page.locator('#file').setInputFiles({ name: 'loans.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(lines.join('\n')) });
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption(`draft:${id}`);
    await page.locator('#asof').fill('2017-06-30');
    await page.getByRole('button', { name: '开始模拟' }).click();
    await page.waitForURL(/#\/simulate\/job_/);
    await see(page, '模拟完成');
    await page.locator('[data-testid=changes] tbody tr').first().waitFor();
    await see(page, /共 300 条/);
    await page.locator('tw-bar-chart svg rect').first().waitFor();
    // Rule coverage on the dataset: rules that never fired are named; a table rule by rule.
    const coverage = page.locator('[data-testid=coverage]');
    await coverage.waitFor();
    await expect(coverage.innerText()).resolves.toMatch(/规则覆盖/);
    await coverage.locator('summary').click();
    expect(await coverage.locator('tr[data-rule]').count()).toBeGreaterThan(3);
    // Officials' words: rules by title (and article), not by id, in the filter, the charts and the records.
    const option = page.locator('#filter-rule option').nth(1);
    await expect.poll(async () => (await option.innerText()) !== (await option.getAttribute('value'))).toBe(true);
    await expect(option.innerText()).resolves.toMatch(/[\u4e00-\u9fff]/);
    await expect(coverage.locator('tr[data-rule] .cite').first().innerText()).resolves.toMatch(/[\u4e00-\u9fff]/);
    const verdicts = await page.locator('[data-testid=changes] tbody tr td:nth-child(3)').allInnerTexts();
    expect(verdicts.join(' ')).not.toMatch(/[a-z]+_[a-z]+/);
    expect(await page.locator('tw-bar-chart').first().evaluate((el) => el.shadowRoot?.textContent ?? '')).not.toMatch(/[a-z]+_[a-z]+/);
    await h.shot(page, 'simulate');
    await page.getByRole('button', { name: '下一页' }).click();
    await see(page, /第 2\/\d+ 页/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载结果 (CSV)' }).click();
    expect((await download).suggestedFilename()).toMatch(/\.csv$/);
    // The rule filter runs on the server: the count of every page narrows, page 1 again.
    const rule = await page.locator('#filter-rule option').nth(1).getAttribute('value');
    await page.locator('#filter-rule').selectOption(rule!);
    await page.locator('[data-testid=filtered]').waitFor();
    await see(page, /第 1\/\d+ 页/);
    await page.locator('#filter-rule').selectOption('');
    // The candidate is a draft: Try it opens the draft itself, with the baseline to compare.
    await page.getByRole('button', { name: '在试算中打开' }).first().click();
    await page.waitForURL(/#\/try\?/);
    await expect(page.locator('#f-贷款金额').inputValue()).resolves.toMatch(/^\d+$/);
    await expect(page.locator('#policy').inputValue()).resolves.toBe(`draft:${id}`);
    await page.locator('[data-testid=draft-note]').waitFor();
    await page.getByRole('button', { name: '计算' }).click();
    await page.locator('[data-testid=results] .card').nth(1).waitFor();
    await page.locator('[data-testid=results] h3', { hasText: `草稿 #${id}` }).waitFor();
    await page.context().close();
  });

  it('says why a job failed, in words, not as JSON', async () => {
    const store = h.server.deps.store;
    const id = `job_ui_failed_${Date.now()}`;
    await store.createJob({ id, kind: 'simulate', createdBy: 'author', params: { baseline: 'gansu/poverty-loan@2015.1', candidate: 'gansu/poverty-loan@2015.1', asOf: '2017-06-30' }, total: 3 });
    await store.updateJob(id, { status: 'failed', error: jobFailure(new Error('worker exited at /srv/app/x.js'), id) });
    const page = await h.open('author', `#/simulate/${id}`);
    const alert = page.locator('.progress [role=alert]');
    await alert.waitFor();
    await see(page, /模拟任务失败/);
    // The reference to quote to an administrator, never the exception's text.
    await expect(alert.innerText()).resolves.toContain(`错误编号 ${id}/`);
    await expect(alert.innerText()).resolves.not.toContain('/srv/app');
    await expect(alert.innerText()).resolves.not.toContain('{');
    await page.context().close();
  });

  it('downloads a template, maps a ledger with other headers to facts once, and remembers the mapping', async () => {
    const page = await h.open('author', '#/simulate');
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('[data-testid=starter]').waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载模板(XLSX)' }).click();
    const got = await download;
    expect(got.suggestedFilename()).toBe('gansu-poverty-loan-2015.1-template.xlsx');
    const { readFile } = await import('node:fs/promises');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile((await got.path())!)) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    const labels = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    const example = (sheet.getRow(2).values as unknown[]).slice(1);
    expect(labels.length).toBeGreaterThan(2);
    expect(wb.worksheets[1].name).toBe('说明');
    // A county's own ledger: every header with its own note in brackets, and a remarks column.
    const ledger = new ExcelJS.Workbook();
    const ws = ledger.addWorksheet('台账');
    ws.addRow([...labels.map((l) => `${l}(台账)`), '备注']);
    ws.addRow([...example, '核实中']);
    ws.addRow([...example, '']);
    const bytes = Buffer.from(await ledger.xlsx.writeBuffer());
    await page.locator('#file').setInputFiles({ name: 'county-ledger.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes });
    await page.getByRole('button', { name: '开始模拟' }).click();
    const form = page.locator('[data-testid=mapping]');
    await form.waitFor();
    await see(page, /列不对应任何事实/);
    const selects = form.locator('select');
    await expect(selects.count()).resolves.toBe(labels.length + 1);
    // Suggestions by similarity: each bracketed header maps to its fact; the remarks to nothing.
    const first = form.locator(`select[data-header="${labels[0]}(台账)"]`);
    await expect(first.inputValue()).resolves.not.toBe('');
    await expect(form.locator('select[data-header="备注"]').inputValue()).resolves.toBe('');
    await h.shot(page, 'simulate-mapping');
    await page.getByRole('button', { name: '按此对照开始模拟' }).click();
    await page.waitForURL(/#\/simulate\/job_/);
    await see(page, '模拟完成');
    await see(page, /共 2 条/);
    // The same ledger again: the mapping remembered for the policy applies itself.
    await page.evaluate(() => (location.hash = '#/simulate'));
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#file').setInputFiles({ name: 'county-ledger.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bytes });
    await page.getByRole('button', { name: '开始模拟' }).click();
    await page.waitForURL(/#\/simulate\/job_/);
    await page.locator('[data-testid=map-note]').waitFor();
    await see(page, '模拟完成');
    await expect(page.locator('[data-testid=mapping]').count()).resolves.toBe(0);
    await page.context().close();
  });

  it('simulates on a generated sample with one click, and the run shows changes', async () => {
    const id = await raisedCapDraft();
    const page = await h.open('author', '#/simulate');
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption(`draft:${id}`);
    await page.locator('#asof').fill('2017-06-30');
    await page.getByRole('button', { name: '用样例数据模拟' }).click();
    await page.waitForURL(/#\/simulate\/job_/);
    await see(page, '模拟完成');
    await see(page, /共 200 条/);
    // The sample's amounts fall near the cap (5万元): raising it to 6万元 changes some records.
    await page.locator('[data-testid=changes] tbody tr').first().waitFor();
    await page.context().close();
  });

  it('says which file formats it reads', async () => {
    const page = await h.open('author', '#/simulate');
    await page.locator('#file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await page.locator('#baseline').selectOption('gansu/poverty-loan@2015.1');
    await page.locator('#candidate').selectOption('gansu/poverty-loan@2015.1');
    await page.getByRole('button', { name: '开始模拟' }).click();
    await see(page, /不支持的文件格式/);
    await h.shot(page, 'simulate-error');
    await page.context().close();
  });
});

/** Form controls and buttons (shadow roots included) that a screen reader could not name. */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll<HTMLElement>('*'))) {
        if (el.shadowRoot) walk(el.shadowRoot);
        const tag = el.tagName.toLowerCase();
        if (!['input', 'select', 'textarea', 'button'].includes(tag)) continue;
        if ((el as HTMLInputElement).type === 'hidden') continue;
        const id = el.id;
        const named =
          !!el.getAttribute('aria-label') ||
          !!el.getAttribute('aria-labelledby') ||
          !!el.closest('label') ||
          (id !== '' && !!(el.getRootNode() as ShadowRoot).querySelector(`label[for="${CSS.escape(id)}"]`)) ||
          (tag === 'button' && (el.textContent ?? '').trim() !== '');
        if (!named) out.push(`${tag}#${id}`);
      }
    };
    walk(document);
    return out;
  });
}

describe('decisions', () => {
  it('lists logged decisions with filters, loads more by cursor, and exports every match', async () => {
    // Three decisions with case ids, one of which trips the red line.
    for (const [subject, amount] of [['乙户-1', 97], ['乙户-2', 96], ['乙户-3', 99]] as const) {
      const res = await call('admin', 'POST', '/evaluate', {
        policy: 'gansu/poverty-loan-book',
        asOf: '2018-06-30',
        subject,
        facts: { 贷款: [{ 金额: amount, 逾期天数: 0 }, { 金额: 100 - amount, 逾期天数: 120 }] },
      });
      expect(res.status).toBe(200);
    }
    const page = await h.open('admin', '#/decisions?policy=gansu/poverty-loan-book');
    await page.locator('table[data-testid=decisions] tr[data-decision]').first().waitFor();
    expect(await page.locator('tr[data-decision]').count()).toBeGreaterThanOrEqual(3);
    await h.shot(page, 'decisions');
    // Filter by case id through the form: one row, and the filter goes into the address.
    await page.getByLabel('个案编号').fill('乙户-2');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForFunction(() => decodeURIComponent(location.hash).includes('subject=乙户-2'));
    await page.locator('tr[data-decision]', { hasText: '乙户-2' }).waitFor();
    await expect(page.locator('tr[data-decision]').count()).resolves.toBe(1);
    // The export is every match, as CSV.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: /导出全部匹配记录 \(CSV\)/ }).click();
    const file = await (await download).path();
    const { readFile } = await import('node:fs/promises');
    const csv = await readFile(file!, 'utf8');
    expect(csv.trim().split('\n')).toHaveLength(2);
    expect(csv).toContain('乙户-2');
    // Nothing matches: said in words.
    await page.evaluate(() => (location.hash = '#/decisions?subject=nobody'));
    await see(page, '没有符合条件的决定记录');
    await page.context().close();
  });

  it('shows which facts of a decision were masked or kept, and whether this role sees them', async () => {
    const res = await call('admin', 'POST', '/evaluate', {
      policy: 'gansu/law-enforcement',
      asOf: '2020-06-30',
      facts: { 执法人员: [{ 姓名: '张执法', 从事执法: true, 培训考核合格: false, 持有执法证件: true }] },
    });
    expect(res.status).toBe(200);
    const page = await h.open('reviewer', '#/decisions?policy=gansu/law-enforcement');
    await page.locator('tr[data-decision] td[data-testid=personal]').first().waitFor();
    await expect(page.locator('tr[data-decision] td[data-testid=personal]').first().textContent()).resolves.toContain('已脱敏:姓名');
    await see(page, /您的角色可以查看决定中保留的个人信息/);
    await page.context().close();
  });
});

describe('accessibility', () => {
  it('names every control on every page and lets the keyboard skip to the content', async () => {
    const id = await raisedCapDraft();
    const pages = ['#/library', '#/policy/gansu/poverty-loan', `#/editor/${id}`, '#/try?policy=gansu/poverty-loan', '#/diff', '#/simulate', '#/review', '#/decisions'];
    const page = await h.open('admin', pages[0]);
    for (const hash of pages) {
      await page.evaluate((x) => (location.hash = x), hash);
      await page.waitForLoadState('networkidle');
      await page.locator('tw-state[kind=loading]').waitFor({ state: 'detached' }).catch(() => undefined);
      expect(await unnamedControls(page), hash).toEqual([]);
    }
    await page.evaluate(() => (location.hash = '#/library'));
    await page.reload();
    await page.locator('article[data-policy]').first().waitFor();
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.querySelector('tw-app')!.shadowRoot!.activeElement?.textContent?.trim());
    expect(first).toBe('跳到正文');
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(() => document.querySelector('tw-app')!.shadowRoot!.activeElement?.tagName);
    expect(focused).toBe('MAIN');
    await page.context().close();
  });
});
