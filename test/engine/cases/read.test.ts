/** Case files are checked against their schema: an unknown key is an error with a did-you-mean, never ignored. */
import { describe, expect, it } from 'vitest';
import { readCasesFile } from '../../../engine/cases/run.ts';

const file = (want: string, extra = '') => `policy: demo/loan
${extra}cases:
  - note: 一条
    asOf: 2018-06-30
    facts: { 贷款: [] }
    want: ${want}
`;

describe('readCasesFile', () => {
  it('accepts the known keys', () => {
    expect(readCasesFile(file('{ fired: [a], notFired: [b], undetermined: [], computed: { a: { x: 1 } } }')).problems).toEqual([]);
  });

  it.each([
    ['{ fired: [a], notfired: [b] }', /cases\[0\]\.want: unknown key `notfired` — did you mean `notFired`\?/],
    ['{ fried: [a] }', /unknown key `fried` — did you mean `fired`\?/],
    ['{ zzzzzz: 1 }', /unknown key `zzzzzz` \(known: status, fired/],
  ])('refuses want %s', (want, message) => {
    const r = readCasesFile(file(want));
    expect(r.file).toBeUndefined();
    expect(r.problems.join('\n')).toMatch(message);
  });

  it('checks case and file keys, and each policy of a shared file', () => {
    expect(readCasesFile(file('{}').replace('    asOf:', '    asof: 2018-06-30\n    asOf:')).problems.join('\n')).toMatch(/cases\[0\]: unknown key `asof` — did you mean `asOf`\?/);
    expect(readCasesFile(file('{}', 'polices: [a]\n')).problems.join('\n')).toMatch(/the file: unknown key `polices` — did you mean `policies`\?/);
    const shared = `policies: [a/x, b/y]
cases:
  - note: 共享
    asOf: 2018-06-30
    facts: {}
    want: { a/x: { fired: [] }, b/y: { undetermind: [r] } }
`;
    expect(readCasesFile(shared).problems.join('\n')).toMatch(/cases\[0\]\.want\.b\/y: unknown key `undetermind` — did you mean `undetermined`\?/);
  });
});
