/** YAML-form details that the golden files do not show. */
import { it, expect } from 'vitest';
import { parseYamlPolicy } from '../../dsl/index.ts';

const policyWithMessage = (message: string) => `policy: example/m
title: t
jurisdiction: example
version: "1"
effective: { from: 2015-01-01 }
sources: [ { key: 示例, title: 示例 } ]
facts: [ { name: a, label: a, type: boolean } ]
rules:
  - id: r
    title: r
    cites: { source: 示例, article: 一 }
    when: a
    then: { kind: notice, message: ${message} }
`;

it('an ASCII comma splitting unquoted message text is reported, with a hint to quote it', () => {
  const r = parseYamlPolicy(policyWithMessage('{ zh: 超过红线,停止发放贷款, en: x }'));
  const unknown = r.diagnostics.find((d) => d.code === 'yaml.unknown-field');
  expect(unknown?.message.en).toContain('停止发放贷款');
  expect(unknown?.hint?.en).toMatch(/quote/);
});

it('quoted message text keeps its comma and raises nothing', () => {
  const r = parseYamlPolicy(policyWithMessage('{ zh: "超过红线,停止发放贷款", en: x }'));
  expect(r.diagnostics).toEqual([]);
  expect(r.value?.rules[0].then.message).toEqual({ zh: '超过红线,停止发放贷款', en: 'x' });
});
