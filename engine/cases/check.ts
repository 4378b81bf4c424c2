/**
 * Compares a decision with what a case wants. Returns the differences as readable lines (empty:
 * the case passes). Pure: the CLI and the test suite both call it.
 */
import type { Decision, ComputedResult } from '../evaluate/types.ts';
import type { Want } from './types.ts';

export function checkDecision(decision: Decision, want: Want): string[] {
  const problems: string[] = [];
  const wantStatus = want.status ?? 'ok';
  if (decision.status !== wantStatus) {
    problems.push(`status: want ${wantStatus}, got ${decision.status}` + describeFactErrors(decision));
  }
  if (want.factErrors) {
    const got = new Set(decision.factErrors.map((e) => e.path));
    for (const path of want.factErrors) {
      if (!got.has(path)) problems.push(`factErrors: want an error at ${path}, got [${[...got].join(', ')}]`);
    }
  }
  if (decision.status !== 'ok') return problems;

  const fired = decision.outcomes.map((o) => o.ruleId);
  compareExact('fired', want.fired ?? [], fired, problems);
  if (want.undetermined) {
    compareExact('undetermined', want.undetermined, decision.undetermined.map((u) => u.ruleId), problems);
  }
  if (want.suppressed) {
    compareExact('suppressed', want.suppressed, decision.suppressed.map((s) => s.ruleId), problems);
  }
  if (want.notFired) {
    const notFired = new Set(decision.notFired);
    const missing = want.notFired.filter((id) => !notFired.has(id));
    if (missing.length) problems.push(`notFired: want [${missing.join(', ')}] to be false, ${whereAre(missing, decision)}`);
  }
  if (want.conflicts) {
    const key = (pair: readonly string[]) => [...pair].sort().join(' ↔ ');
    compareExact('conflicts', want.conflicts.map(key), decision.conflicts.map((c) => key(c.rules)), problems);
  }
  for (const [ruleId, values] of Object.entries(want.computed ?? {})) {
    const outcome = decision.outcomes.find((o) => o.ruleId === ruleId);
    if (!outcome) {
      problems.push(`computed: rule ${ruleId} did not fire, so it computed nothing`);
      continue;
    }
    for (const [name, expected] of Object.entries(values)) {
      const got = outcome.computed[name];
      if (!got) {
        problems.push(`computed: ${ruleId}.${name} was not computed (has: ${Object.keys(outcome.computed).join(', ') || 'nothing'})`);
      } else if (!sameValue(got.result, expected)) {
        problems.push(`computed: ${ruleId}.${name}: want ${JSON.stringify(expected)}, got ${showResult(got.result)}`);
      }
    }
  }
  return problems;
}

function compareExact(what: string, want: string[], got: string[], problems: string[]): void {
  const wantSet = new Set(want);
  const gotSet = new Set(got);
  const missing = want.filter((x) => !gotSet.has(x));
  const extra = got.filter((x) => !wantSet.has(x));
  if (missing.length || extra.length) {
    const parts = [];
    if (missing.length) parts.push(`missing [${missing.join(', ')}]`);
    if (extra.length) parts.push(`unexpected [${extra.join(', ')}]`);
    problems.push(`${what}: ${parts.join('; ')} (got [${got.join(', ')}])`);
  }
}

function whereAre(ids: string[], decision: Decision): string {
  return ids
    .map((id) => {
      if (decision.outcomes.some((o) => o.ruleId === id)) return `${id} fired`;
      const u = decision.undetermined.find((x) => x.ruleId === id);
      if (u) return `${id} undetermined (missing ${u.missingFacts.join(', ')})`;
      if (decision.suppressed.some((s) => s.ruleId === id)) return `${id} suppressed`;
      return `${id} is not a rule of this policy`;
    })
    .join('; ');
}

function describeFactErrors(decision: Decision): string {
  if (!decision.factErrors.length) return '';
  return ` (${decision.factErrors.map((e) => `${e.path}: ${e.message.en ?? e.message.zh}`).join('; ')})`;
}

/** Money compares to the fen; numbers to 1e-9 relative, so cases can be written as in the article. */
function sameValue(result: ComputedResult, expected: number | string | boolean): boolean {
  switch (result.type) {
    case 'money':
      return Math.round(Number(result.yuan) * 100) === Math.round(Number(expected) * 100);
    case 'number':
    case 'integer':
    case 'percent': {
      const e = Number(expected);
      return Math.abs(result.value - e) <= 1e-9 * Math.max(1, Math.abs(e));
    }
    case 'boolean':
      return result.value === expected;
    case 'date':
    case 'string':
      return result.value === String(expected);
    case 'undetermined':
      return false;
  }
}

function showResult(result: ComputedResult): string {
  switch (result.type) {
    case 'money':
      return `${result.yuan} yuan`;
    case 'undetermined':
      return `undetermined (missing ${result.missingFacts.join(', ')})`;
    default:
      return JSON.stringify(result.value);
  }
}
