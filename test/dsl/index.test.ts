import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatOfFile, hasErrors, keywordLanguage, parsePolicy, parsePolicySource, renderDiagnostic } from '../../dsl/index.ts';

const DSL = readFileSync(join(import.meta.dirname, '../fixtures/dsl/examples/gansu.policy'), 'utf8');

describe('parsePolicySource', () => {
  it.each([
    ['a.policy', 'dsl'],
    ['a.policy.yaml', 'yaml'],
    ['a.yaml', 'yaml'],
    ['dir/A.YML', 'yaml'],
    [undefined, 'dsl'],
  ] as const)('%s is read as %s', (file, format) => {
    expect(formatOfFile(file)).toBe(format);
  });

  it('takes an explicit format over the file name', () => {
    const r = parsePolicySource(DSL, { file: 'x.yaml', format: 'dsl' });
    expect(r.diagnostics).toEqual([]);
    expect(r.value?.rules.map((x) => x.id)).toEqual(['npl_red_line', 'fraud_penalty']);
  });

  it('puts the file name in every range', () => {
    const r = parsePolicySource(DSL.replace('when 弄虚作假', 'when 弄虚作假 >'), { file: 'g.policy' });
    expect(r.diagnostics.length).toBeGreaterThan(0);
    for (const d of r.diagnostics) expect(d.range?.file).toBe('g.policy');
  });
});

describe('partial trees', () => {
  it('keeps the rules around a broken one, reporting every error', () => {
    const broken = DSL.replace('when 不良贷款率 > 不良贷款率红线', 'when 不良贷款率 > > 不良贷款率红线').replace(
      'then accountability severity critical',
      'accountability severity critical',
    );
    const r = parsePolicy(broken);
    expect(hasErrors(r.diagnostics)).toBe(true);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['dsl.unexpected-token', 'dsl.missing-token']);
    expect(r.value?.rules.map((x) => x.id)).toEqual(['npl_red_line', 'fraud_penalty']);
  });

  it('gives rules their source ranges', () => {
    const r = parsePolicy(DSL);
    const rule = r.value!.rules[1];
    expect(rule.loc?.start).toMatchObject({ line: 31, column: 1 });
    expect(rule.when.loc?.start).toMatchObject({ line: 33, column: 8 });
  });
});

describe('renderDiagnostic', () => {
  const source = 'let a = b @ c\n';
  const d = parsePolicySource(`policy "a/b"\n  title "t"\n  jurisdiction a\n  version "1"\n  effective from 2020-01-01\n${source}`, {
    file: 'x.policy',
  }).diagnostics[0];

  it.each([
    ['en', 'unexpected character', '删除该字符'],
    ['zh', '无法识别的字符', 'remove it'],
  ] as const)('in %s shows only that language', (lang, present, absent) => {
    const text = renderDiagnostic(d, `policy "a/b"\n  title "t"\n  jurisdiction a\n  version "1"\n  effective from 2020-01-01\n${source}`, { lang });
    expect(text).toContain(present);
    expect(text).not.toContain(absent);
    expect(text.split('\n')[0]).toBe(`x.policy:6:11  dsl.unexpected-character  ${lang === 'en' ? "unexpected character '@'" : "无法识别的字符 '@'"}`);
    expect(text.split('\n')[2]).toBe('  |           ^');
  });
});

describe('browser safety', () => {
  it('dsl/ imports nothing from node:', () => {
    const dir = join(import.meta.dirname, '../../dsl');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
      expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/from ['"]node:/);
    }
  });
});

describe('keywordLanguage', () => {
  it.each([
    ['policy "a/b"\n  title "t"\n', 'en'],
    ['政策 "a/b"\n  标题 "t"\n', 'zh'],
    ['# 只有注释\n', 'en'],
    ['政策 "a/b"\n  标题 "t"\n  version "1"\n', 'zh'],
    ['policy "a/b"\n  title "标题"\n  辖区 x\n  version "1"\n', 'en'],
  ] as const)('%j is %s', (text, want) => {
    expect(keywordLanguage(text)).toBe(want);
  });
});
