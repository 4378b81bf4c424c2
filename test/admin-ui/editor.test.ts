import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredNames, highlightLine } from '../../admin-ui/src/editor/highlight.ts';
import { baseRefs, convert, keywordsOf, lintPolicy, withKeywords } from '../../admin-ui/src/editor/lint.ts';
import { policyHash } from '../../engine/ir/hash.ts';
import { readdirSync } from 'node:fs';
import { toCmDiagnostics } from '../../admin-ui/src/editor/codemirror.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const loan = readFileSync(join(ROOT, 'policies/gansu/poverty-loan/poverty-loan.policy'), 'utf8');

const classes = (line: string) => highlightLine(line).filter((s) => s.cls !== 'space').map((s) => `${s.cls}:${s.text}`);

describe('highlighting', () => {
  it.each([
    ['rule amount_cap "上限" # note', ['keyword:rule', 'name:amount_cap', 'string:"上限"', 'comment:# note']],
    ['  当 贷款金额 > 5万元', ['keyword:当', 'name:贷款金额', 'operator:>', 'number:5万元']],
    ['当年人数 >= 3%', ['name:当年人数', 'operator:>=', 'number:3%']],
    ['  then violation severity high', ['keyword:then', 'outcome:violation', 'keyword:severity', 'severity:high']],
    ['effective from 2015-06-01', ['keyword:effective', 'keyword:from', 'date:2015-06-01']],
    ['x: list of { a: money }', ['name:x', 'punct::', 'type:list of', 'punct:{', 'name:a', 'punct::', 'type:money', 'punct:}']],
    ['ratio(贷款 where 逾期天数 >= 90)', ['function:ratio', 'punct:(', 'name:贷款', 'keyword:where', 'name:逾期天数', 'operator:>=', 'number:90', 'punct:)']],
  ])('%s', (line, want) => {
    expect(classes(line)).toEqual(want);
  });

  it('never loses or reorders a character', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (line) => {
        expect(highlightLine(line).map((s) => s.text).join('')).toBe(line);
      }),
    );
  });

  it('finds the names a policy declares for completion', () => {
    const names = declaredNames(loan);
    const kinds = (k: string) => names.filter((n) => n.kind === k).map((n) => n.name);
    expect(kinds('fact')).toContain('贷款金额');
    expect(kinds('parameter')).toContain('单户贷款上限');
    expect(kinds('rule')).toContain('amount_out_of_range');
    expect(kinds('source')).toContain('指南');
  });
});

describe('diagnostics in the browser', () => {
  it('a library policy has none', () => {
    expect(lintPolicy(loan, 'dsl').diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('an undeclared name is underlined where it is written', () => {
    const text = `${loan}\nrule broken "坏"\n  cites 指南 "二"\n  when 没有这个事实 > 0\n  then violation\n    message "x"\n`;
    const r = lintPolicy(text, 'dsl');
    const d = r.diagnostics.find((x) => x.severity === 'error');
    expect(d?.range).toBeDefined();
    expect(text.slice(d!.range!.start.offset, d!.range!.end.offset)).toBe('没有这个事实');
    const [cm] = toCmDiagnostics([d!], text.length, 'zh');
    expect(cm.severity).toBe('error');
    expect(cm.message).toContain(d!.message.zh);
    expect(text.slice(cm.from, cm.to)).toBe('没有这个事实');
  });

  it('a diagnostic past the end stays inside the document', () => {
    const [cm] = toCmDiagnostics([{ code: 'x', severity: 'warning', message: { zh: 'z', en: 'e' }, range: { start: { line: 9, column: 1, offset: 500 }, end: { line: 9, column: 2, offset: 501 } } }], 10, 'en');
    expect([cm.from, cm.to, cm.message, cm.severity]).toEqual([10, 10, 'e', 'warning']);
  });

  it('DSL → YAML → DSL keeps a policy that compiles to the same rules', () => {
    const yaml = convert(loan, 'dsl', 'yaml');
    expect(yaml).toContain('jurisdiction: gansu');
    const back = convert(yaml!, 'yaml', 'dsl');
    expect(lintPolicy(back!, 'dsl').ir?.rules.map((r) => r.id)).toEqual(lintPolicy(loan, 'dsl').ir?.rules.map((r) => r.id));
    expect(convert('policy "broken', 'dsl', 'yaml')).toBeUndefined();
  });

  // Every DSL file of the library: Chinese keywords and back give the same IR, comments kept.
  const library = (function walk(dir: string): string[] {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.policy') ? [join(dir, e.name)] : []));
  })(join(ROOT, 'policies'));
  it.each(library.map((f) => [f.slice(ROOT.length + 1), f]))('switching keywords keeps the meaning of %s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const irOf = (t: string) => lintPolicy(t, 'dsl').ir;
    const original = irOf(text);
    const zh = withKeywords(text, 'zh')!;
    expect(keywordsOf(zh)).toBe('zh');
    expect(zh).toMatch(/^\s*(#.*\n\s*)*政策/);
    const en = withKeywords(zh, 'en')!;
    expect(keywordsOf(en)).toBe('en');
    // A variant needs its base to compile; then the text itself must round-trip.
    if (original) {
      expect(policyHash(irOf(zh)!)).toBe(policyHash(original));
      expect(policyHash(irOf(en)!)).toBe(policyHash(original));
    } else {
      expect(withKeywords(en, 'zh')).toBe(zh);
    }
    const comments = (t: string) => t.split('\n').filter((l) => l.trim().startsWith('#')).map((l) => l.trim());
    expect(comments(zh)).toEqual(comments(text));
  });

  it('refuses to switch keywords of a text that does not parse', () => {
    expect(withKeywords('policy "broken', 'zh')).toBeUndefined();
  });

  it.each([
    ['extends "central/responsibility"', [{ policy: 'central/responsibility' }]],
    ['  继承 “central/responsibility@2016”', [{ policy: 'central/responsibility', version: '2016' }]],
    ['extends: central/responsibility@2016', [{ policy: 'central/responsibility', version: '2016' }]],
    ['# no base here', []],
  ])('base reference in %s', (text, want) => {
    expect(baseRefs(text)).toEqual(want);
  });
});
