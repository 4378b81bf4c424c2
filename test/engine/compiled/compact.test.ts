import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../engine/compiled/index.ts';
import { simulateChunk, simulateCompactChunk } from '../../../engine/parallel/simulate.ts';
import { takeRecords } from '../../../bench/generate-loans.ts';
import { AS_OF, benchPolicies } from '../../../bench/load.ts';

describe('compact simulation', () => {
  it('counts and changes as the full decisions do, on the benchmark policies', () => {
    const { baseline, candidate } = benchPolicies();
    const a = compilePolicy(baseline);
    const b = compilePolicy(candidate);
    // Benchmark records, plus ones with a missing fact, an unknown fact and a wrong type.
    const records: unknown[] = [...takeRecords(400), {}, { 不存在的事实: 1 }, { 贷款: 'x' }];
    const full = simulateChunk(records, (r) => a.decide(r, { asOf: AS_OF }), (r) => b.decide(r, { asOf: AS_OF }));
    const compact = simulateCompactChunk(records, a, b, AS_OF);
    expect(compact).toEqual(full);
    expect(full.changes.length).toBeGreaterThan(0);
    expect(full.baseline.byOutcome['invalid-facts']).toBeGreaterThan(0);
  });
});

describe('record reuse', () => {
  it('unboxes again when the shared buffers were overwritten by another record in between', () => {
    const { baseline, candidate } = benchPolicies();
    const a = compilePolicy(baseline);
    const b = compilePolicy(candidate);
    const records = [...takeRecords(40)];
    const r1 = records[0]!;
    const want = b.decideCompact(r1, { asOf: AS_OF });
    // A second record the candidate judges differently, so reading it in place of r1 would show.
    const r2 = records.find((r) => b.decideCompact(r, { asOf: AS_OF }).codes.join() !== want.codes.join())!;
    expect(r2).toBeDefined();
    const reuse1 = {};
    a.decideCompact(r1, { asOf: AS_OF }, reuse1);
    // The baseline reads another record into the same buffers before the candidate reads r1.
    a.decideCompact(r2, { asOf: AS_OF }, {});
    expect(b.decideCompact(r1, { asOf: AS_OF }, reuse1)).toEqual(want);
  });
});
