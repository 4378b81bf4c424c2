/**
 * The server's text views of a policy written with a decision table: the other-format view of a
 * version and the text diff across formats convert the source's tree, so the table stays a table
 * (printing the IR would give its desugared rules, `等级.严重`, which the DSL cannot read back).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

const TABLE = `
table 等级 "弄虚作假等级" en "Fraud grade"
  hit first
  columns 弄虚作假
  row 严重: true gives "严重"
    cites 指南 "三(六)"
  row 一般: any gives "一般"
    cites 指南 "三(六)"
  complete because "每笔都须定级"
`;

const newVersion = (src: string) =>
  src.replace('version "2015.1"', 'version "2021.1"').replace('effective from 2015-06-01 until 2020-12-31', 'effective from 2021-01-01').replace('3% from 2015-06-01', '5% from 2021-01-01') + TABLE;

interface VersionView {
  source: { format: string; text: string };
  dsl?: string;
  yaml?: string;
  ir: { rules: { id: string }[] };
}

async function publishDslWithTable(): Promise<VersionView> {
  const d = (await (await t.req('POST', '/api/v1/drafts', { as: '张三', json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number; etag: string; source: string };
  const saved = await t.req('PUT', `/api/v1/drafts/${d.id}`, { as: '张三', json: { source: newVersion(d.source) }, headers: { 'if-match': d.etag } });
  expect(((await saved.json()) as { diagnostics: unknown[] }).diagnostics).toEqual([]);
  expect((await t.req('POST', `/api/v1/drafts/${d.id}/submit`, { as: '张三' })).status).toBe(200);
  expect((await t.req('POST', `/api/v1/drafts/${d.id}/approve`, { as: '李四' })).status).toBe(200);
  expect((await t.req('POST', `/api/v1/drafts/${d.id}/publish`, { as: '张三' })).status).toBe(201);
  const res = await t.req('GET', '/api/v1/policies/demo/loan/versions/2021.1', { as: '赵六' });
  expect(res.status).toBe(200);
  return (await res.json()) as VersionView;
}

describe('text views of a policy with a table', () => {
  it('shows a DSL version with a table as YAML with the table, which compiles to the same rules', async () => {
    const v = await publishDslWithTable();
    expect(v.ir.rules.map((r) => r.id)).toEqual(expect.arrayContaining(['等级.严重', '等级.一般']));
    expect(v.dsl).toBe(v.source.text);
    expect(v.yaml).toMatch(/^tables:/m);
    expect(v.yaml).toMatch(/^\s+- id: 等级$/m);
    expect(v.yaml).not.toMatch(/id: 等级\.是/);
    // The YAML view reads back as the same policy.
    const back = t.deps.policies.compile(v.yaml!, 'yaml');
    expect(back.value?.rules.map((r) => r.id)).toEqual(v.ir.rules.map((r) => r.id));

    // Across formats the text diff compares DSL texts: the YAML side's table is printed as a table.
    const y = await t.req('POST', '/api/v1/drafts', { as: '张三', json: { source: v.yaml!.replace(/^version: .*$/m, 'version: "2022.1"'), format: 'yaml' } });
    expect(y.status).toBe(201);
    const yd = (await y.json()) as { id: number };
    const diff = (await (await t.req('GET', `/api/v1/diff?a=demo/loan@2015.1&b=draft:${yd.id}`, { as: '赵六' })).json()) as { text: { lines: { op: string; text: string }[] } };
    const added = diff.text.lines.filter((l) => l.op === '+').map((l) => l.text);
    expect(added).toContain('table 等级 "弄虚作假等级" en "Fraud grade"');
    expect(added.some((l) => /rule 等级\./.test(l))).toBe(false);
  });
});
