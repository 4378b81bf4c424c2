/**
 * Version periods of one policy id (no solver). A version without an end runs until the next one
 * starts — how an amendment replaces its predecessor. Two versions starting on the same day, or a
 * version whose explicit end reaches past the next one's start, are errors: which version is in
 * force would then depend on the library's tie-break, not on the policies.
 */
import type { PolicyIR } from '../ir/types.ts';
import { formatDate, parseDate } from '../values/index.ts';
import { FINDINGS } from './messages.ts';
import type { Finding } from './types.ts';

function finding(
  code: 'analysis.same-start' | 'analysis.overlapping-versions',
  earlier: PolicyIR,
  ir: PolicyIR,
  entry: { message: { zh: string; en: string }; hint?: { zh: string; en: string } },
): Finding {
  const f: Finding = { code, severity: 'error', message: entry.message, policy: { id: ir.id, version: ir.version }, rules: [], versions: [earlier.version, ir.version] };
  if (entry.hint) f.hint = entry.hint;
  return f;
}

/** Period errors among the versions of one policy id, each reported on the later-starting version. */
export function checkVersionPeriods(versions: readonly PolicyIR[]): Finding[] {
  const sorted = [...versions].sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : a.version < b.version ? -1 : 1));
  const out: Finding[] = [];
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (a.id !== b.id) continue;
      if (a.effectiveFrom === b.effectiveFrom) {
        out.push(finding('analysis.same-start', a, b, FINDINGS['analysis.same-start']({ policy: b.id, a: a.version, b: b.version, from: b.effectiveFrom })));
      } else if (a.effectiveUntil !== undefined && a.effectiveUntil >= b.effectiveFrom) {
        out.push(finding('analysis.overlapping-versions', a, b, FINDINGS['analysis.overlapping-versions']({ policy: b.id, a: a.version, until: a.effectiveUntil, b: b.version, from: b.effectiveFrom })));
      }
    }
  }
  return out;
}

/**
 * For the server before it publishes `candidate`: the period errors it would add to the versions
 * already published (empty: fine to publish). A candidate replacing a version of the same label
 * is checked against the others.
 */
export function checkPublish(existing: readonly PolicyIR[], candidate: PolicyIR): Finding[] {
  const others = existing.filter((v) => v.id === candidate.id && v.version !== candidate.version);
  return checkVersionPeriods([...others, candidate]).filter((f) => f.versions?.includes(candidate.version));
}

/** The last day a version is in force: its `until`, else the day before the next version starts, else undefined (open). */
export function periodEnd(versions: readonly PolicyIR[], ir: PolicyIR): string | undefined {
  if (ir.effectiveUntil !== undefined) return ir.effectiveUntil;
  const next = versions.filter((v) => v.id === ir.id && v.effectiveFrom > ir.effectiveFrom).map((v) => v.effectiveFrom).sort()[0];
  return next === undefined ? undefined : formatDate(parseDate(next)! - 1);
}
