/**
 * Every version in the library, at the edges of its period in force: the day before it starts
 * (no version, or an earlier one of the same policy), its first day and its last day (this
 * version), and the day after it ends (no version, or a later one). The decision cases cannot
 * express "no version in force" (that is an error, not a decision), so the auditor's
 * before/inside/after check for each document lives here.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicyDir } from '../../engine/node.ts';

const ROOT = path.resolve(import.meta.dirname, '../../policies');

function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

describe('periods in force', async () => {
  const { library, files } = await loadPolicyDir(ROOT);
  const versions = files.flatMap((f) => (f.ir ? [f.ir] : []));

  it('the library has versions, some with an end date', () => {
    expect(versions.length).toBeGreaterThan(10);
    expect(versions.some((v) => v.effectiveUntil)).toBe(true);
  });

  it.each(versions.map((v) => [`${v.id}@${v.version}`, v] as const))('%s: before, first day, last day, after', (_name, v) => {
    const at = (asOf: string) => library.resolve(v.id, { asOf });
    const versionAt = (asOf: string) => at(asOf).value?.ir.version;

    expect(versionAt(v.effectiveFrom)).toBe(v.version);
    const before = at(shift(v.effectiveFrom, -1));
    if (before.value) {
      // Only an earlier version of the same policy may be in force the day before.
      expect(before.value.ir.version).not.toBe(v.version);
      expect(before.value.ir.effectiveFrom < v.effectiveFrom).toBe(true);
    } else {
      expect(before.diagnostics.map((d) => d.code)).toContain('engine.no-version-in-force');
    }

    if (v.effectiveUntil) {
      expect(versionAt(v.effectiveUntil)).toBe(v.version);
      const after = at(shift(v.effectiveUntil, 1));
      if (after.value) expect(after.value.ir.effectiveFrom > v.effectiveFrom).toBe(true);
      else expect(after.diagnostics.map((d) => d.code)).toContain('engine.no-version-in-force');
    } else {
      // Open-ended: still this version (or a later one) long after.
      const later = at('2035-12-31').value?.ir;
      expect(later && later.effectiveFrom >= v.effectiveFrom).toBe(true);
    }
  });
});
