/**
 * Version periods (no solver): a version without an end runs until the next starts; the same
 * start twice, or an explicit end past the next start, is an error at check and at publish.
 */
import { describe, expect, it } from 'vitest';
import { compileSource, PolicyLibrary, type PolicyIR } from '../../../engine/index.ts';
import { checkPublish, checkVersionPeriods, checkFindings, periodEnd } from '../../../engine/analysis/index.ts';

function version(label: string, from: string, until?: string): PolicyIR {
  const text = `policy "t/v"
  title "版本"
  jurisdiction t
  version "${label}"
  effective from ${from}${until ? ` until ${until}` : ''}
  source 文 "文件"

facts
  x "x": integer

rule r "r"
  cites 文 "一"
  when x > 1
  then violation
    message "r"
`;
  const r = compileSource(text, { file: `v${label}.policy` });
  if (!r.value) throw new Error(JSON.stringify(r.diagnostics));
  return r.value;
}

describe('version periods', () => {
  it.each([
    { note: 'open-ended versions replace each other in turn', versions: [version('1', '2015-01-01'), version('2', '2018-01-01'), version('3', '2021-01-01')], want: [] },
    { note: 'an explicit end the day before the next start', versions: [version('1', '2015-01-01', '2017-12-31'), version('2', '2018-01-01')], want: [] },
    { note: 'a gap between versions is not an overlap', versions: [version('1', '2015-01-01', '2016-12-31'), version('2', '2018-01-01')], want: [] },
    { note: 'the same start twice', versions: [version('1', '2015-01-01'), version('2', '2015-01-01')], want: ['analysis.same-start 1>2'] },
    { note: 'an explicit end past the next start', versions: [version('1', '2015-01-01', '2018-06-30'), version('2', '2018-01-01')], want: ['analysis.overlapping-versions 1>2'] },
    { note: 'an explicit end on the next start day', versions: [version('2', '2018-01-01'), version('1', '2015-01-01', '2018-01-01')], want: ['analysis.overlapping-versions 1>2'] },
  ])('$note', ({ versions, want }) => {
    const found = checkVersionPeriods(versions);
    expect(found.map((f) => `${f.code} ${f.versions!.join('>')}`)).toEqual(want);
    for (const f of found) {
      expect(f.severity).toBe('error');
      expect(f.policy.version).toBe(f.versions![1]);
      expect(f.message.zh).toContain('t/v');
    }
  });

  it('publishing a version with an existing start is refused; a later start is fine', () => {
    const existing = [version('1', '2015-01-01'), version('2', '2018-01-01')];
    expect(checkPublish(existing, version('3', '2018-01-01')).map((f) => f.code)).toEqual(['analysis.same-start']);
    expect(checkPublish(existing, version('3', '2020-01-01'))).toEqual([]);
    // Re-publishing a label replaces that version: checked against the others only.
    expect(checkPublish(existing, version('2', '2018-01-01'))).toEqual([]);
    // An unrelated clash among existing versions is not the candidate's fault.
    expect(checkPublish([version('1', '2015-01-01'), version('2', '2015-01-01')], version('3', '2020-01-01'))).toEqual([]);
  });

  it('the period of an open-ended version ends the day before the next starts', () => {
    const vs = [version('1', '2015-01-01'), version('2', '2018-01-01')];
    expect(periodEnd(vs, vs[0]!)).toBe('2017-12-31');
    expect(periodEnd(vs, vs[1]!)).toBeUndefined();
    expect(periodEnd([version('1', '2015-01-01', '2016-06-30')], version('1', '2015-01-01', '2016-06-30'))).toBe('2016-06-30');
  });

  it('check reports the clash on the later version, at its policy line, without the solver', async () => {
    const lib = new PolicyLibrary();
    const a = version('1', '2015-01-01');
    const b = version('2', '2015-01-01');
    lib.add(a);
    lib.add(b);
    const text = 'policy "t/v"\n';
    expect((await checkFindings(lib, a, { text, solver: false })).map((f) => f.code)).toEqual([]);
    const onB = await checkFindings(lib, b, { text, file: 'v2.policy', solver: false });
    expect(onB.map((f) => f.code)).toEqual(['analysis.same-start']);
    expect(onB[0]!.range?.start.line).toBe(1);
  });
});
