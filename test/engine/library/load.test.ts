import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../../engine/node.ts';
import { evaluate } from '../../../engine/index.ts';

const base = `policy "central/duty"
  title "中央办法"
  jurisdiction central
  version "2016"
  effective from 2016-01-01
  source 办法 "中央办法"

facts
  不负责任 "不负责任": boolean

rule blame "追究责任"
  cites 办法 "第二十五条"
  when 不负责任
  then accountability
    message "追究责任"
`;

const variant = `policy "gansu/duty"
  title "甘肃办法"
  jurisdiction gansu
  version "2017"
  effective from 2017-03-09
  extends "central/duty"
  source 甘肃 "甘肃办法"

facts
  数字脱贫 "数字脱贫": boolean

rule fake_exit "数字脱贫"
  cites 甘肃 "第三十三条"
  when 数字脱贫 and 不负责任
  then accountability
    message "问责"
`;

const dir = mkdtempSync(path.join(tmpdir(), 'tiaowen-load-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadPolicyDir', () => {
  it('compiles bases before their variants, whatever the file order', async () => {
    // "a-…" sorts before "z-…": the variant is met first and retried once its base is in.
    mkdirSync(path.join(dir, 'nested'));
    writeFileSync(path.join(dir, 'a-gansu.policy'), variant);
    writeFileSync(path.join(dir, 'nested', 'z-central.policy'), base);
    writeFileSync(path.join(dir, 'notes.txt'), 'not a policy');
    const { library, files } = await loadPolicyDir(dir);
    expect(files.map((f) => [path.relative(dir, f.file), Boolean(f.ir)])).toEqual([
      ['a-gansu.policy', true],
      ['nested/z-central.policy', true],
    ]);
    expect(library.ids()).toEqual(['central/duty', 'gansu/duty']);
    const resolved = library.resolve('gansu/duty', { asOf: '2018-01-01' });
    expect(resolved.value?.ir.rules.map((r) => r.id)).toEqual(['blame', 'fake_exit']);
    const d = await evaluate(resolved.value!, { 不负责任: true, 数字脱贫: true }, { asOf: '2018-01-01' });
    expect(d.outcomes.map((o) => `${o.ruleId} ${o.citation.documentTitle}`)).toEqual(['blame 中央办法', 'fake_exit 甘肃办法']);
  });

  it('keeps the diagnostics of a file whose base never appears', async () => {
    const lone = mkdtempSync(path.join(tmpdir(), 'tiaowen-lone-'));
    try {
      writeFileSync(path.join(lone, 'gansu.policy'), variant);
      const { library, files } = await loadPolicyDir(lone);
      expect(files[0]?.ir).toBeUndefined();
      expect(files[0]?.diagnostics.map((d) => d.code)).toContain('ir.unreachable-extends');
      expect(library.ids()).toEqual([]);
    } finally {
      rmSync(lone, { recursive: true, force: true });
    }
  });
});
