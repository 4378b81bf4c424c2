/** Coverage from decision traces: rules fired, atomic conditions seen true/false/undetermined; lcov. */
import { describe, expect, it } from 'vitest';
import { compileSource, evaluateSync, PolicyLibrary } from '../../../engine/index.ts';
import { coverage, sourceMap, toLcov } from '../../../engine/analysis/index.ts';

const text = `policy "t/cov"
  title "覆盖"
  jurisdiction t
  version "1"
  effective from 2020-01-01
  source 文 "文件"

facts
  x "x": integer
  y "y": boolean

rule big "big"
  cites 文 "一"
  when x > 10 and y
  then violation
    message "big"

rule never_tried "never"
  cites 文 "一"
  when x < 0
  then notice
    message "never"
`;

describe('coverage', () => {
  const ir = compileSource(text, { file: 'c.policy' }).value!;
  const lib = new PolicyLibrary();
  lib.add(ir);
  const resolved = lib.resolve('t/cov', { asOf: '2020-06-01' }).value!;
  const decide = (facts: Record<string, unknown>) => evaluateSync(resolved, facts, { asOf: '2020-06-01', explain: true });

  it('counts rules fired and each atomic condition seen true, false and undetermined', () => {
    const report = coverage(ir, [decide({ x: 11, y: true }), decide({ x: 5, y: true }), decide({ y: false })]);
    expect(report.decisions).toBe(3);
    expect(report.rules.big).toMatchObject({ fired: 1, notFired: 2, undetermined: 0 });
    expect(report.rules.big!.conditions).toEqual([
      { condition: 'x > 10', true: 1, false: 1, undetermined: 1 },
      { condition: 'y', true: 2, false: 1, undetermined: 0 },
    ]);
    expect(report.rules.never_tried).toMatchObject({ fired: 0, notFired: 2, undetermined: 1 });
    expect(report.ruleCoverage).toBe(0.5);
    // x > 10: 3 of 3; y: 2 of 3; x < 0: false and undetermined, 2 of 3 → 7 of 9.
    expect(report.conditionCoverage).toBeCloseTo(7 / 9, 10);
  });

  it('writes lcov: a rule is a line, an atomic condition a block of three branches', () => {
    const report = coverage(ir, [decide({ x: 11, y: true })]);
    const lcov = toLcov(report, 'c.policy', sourceMap(text, 'c.policy'));
    expect(lcov).toContain('SF:c.policy');
    expect(lcov).toContain('DA:12,1');
    expect(lcov).toContain('DA:18,0');
    expect(lcov).toContain('BRDA:14,0,0,1');
    expect(lcov).toContain('BRDA:14,0,1,-');
    expect(lcov).toMatch(/LF:2\nLH:1\nBRF:9\nBRH:3\nend_of_record\n$/);
  });
});
