/**
 * Coverage of a policy by decisions (decision cases, a simulated dataset): which rules fired, and
 * which atomic conditions were seen true, false and undetermined. Built from decisions evaluated
 * with `explain` (their traces); no solver. For `tiaowen test --coverage` (JSON or lcov).
 */
import type { ConditionTrace, Decision } from '../evaluate/types.ts';
import type { PolicyIR } from '../ir/types.ts';
import type { SourceMap } from './analyze.ts';

export interface RuleCoverage {
  fired: number;
  notFired: number;
  undetermined: number;
  suppressed: number;
  /** Each atomic condition (leaf of the rule's negation normal form) and the results seen. */
  conditions: { condition: string; true: number; false: number; undetermined: number }[];
}

export interface CoverageReport {
  policy: { id: string; version: string };
  decisions: number;
  rules: Record<string, RuleCoverage>;
  /** Rules that fired at least once ÷ rules. */
  ruleCoverage: number;
  /** (atomic condition, result) pairs seen ÷ 3 × atomic conditions. */
  conditionCoverage: number;
}

function leaves(t: ConditionTrace, path: string, out: { key: string; t: ConditionTrace }[]): void {
  if (!t.children || t.children.length === 0) {
    out.push({ key: path, t });
    return;
  }
  t.children.forEach((c, i) => leaves(c, `${path}.${i}`, out));
}

/** Coverage of `ir` (merged, as decided) by decisions made with `explain: true`; decisions of other policies are ignored. */
export function coverage(ir: PolicyIR, decisions: readonly Decision[]): CoverageReport {
  const rules: Record<string, RuleCoverage> = {};
  const leafIndex = new Map<string, Map<string, RuleCoverage['conditions'][number]>>();
  for (const r of ir.rules) {
    rules[r.id] = { fired: 0, notFired: 0, undetermined: 0, suppressed: 0, conditions: [] };
    leafIndex.set(r.id, new Map());
  }
  let n = 0;
  for (const d of decisions) {
    if (d.policy.id !== ir.id || d.policy.version !== ir.version || d.status !== 'ok') continue;
    n++;
    for (const o of d.outcomes) if (rules[o.ruleId]) rules[o.ruleId]!.fired++;
    for (const id of d.notFired) if (rules[id]) rules[id]!.notFired++;
    for (const u of d.undetermined) if (rules[u.ruleId]) rules[u.ruleId]!.undetermined++;
    for (const s of d.suppressed) if (rules[s.ruleId]) rules[s.ruleId]!.suppressed++;
    for (const t of d.trace ?? []) {
      const rc = rules[t.ruleId];
      const idx = leafIndex.get(t.ruleId);
      if (!rc || !idx || t.result === 'disabled') continue;
      const found: { key: string; t: ConditionTrace }[] = [];
      leaves(t.condition, 'when', found);
      for (const leaf of found) {
        let c = idx.get(leaf.key);
        if (!c) {
          c = { condition: leaf.t.condition, true: 0, false: 0, undetermined: 0 };
          idx.set(leaf.key, c);
          rc.conditions.push(c);
        }
        if (leaf.t.result === true) c.true++;
        else if (leaf.t.result === false) c.false++;
        else c.undetermined++;
      }
    }
  }
  const all = Object.values(rules);
  const conds = all.flatMap((r) => r.conditions);
  const seen = conds.reduce((s, c) => s + (c.true > 0 ? 1 : 0) + (c.false > 0 ? 1 : 0) + (c.undetermined > 0 ? 1 : 0), 0);
  return {
    policy: { id: ir.id, version: ir.version },
    decisions: n,
    rules,
    ruleCoverage: all.length === 0 ? 1 : all.filter((r) => r.fired > 0).length / all.length,
    conditionCoverage: conds.length === 0 ? 1 : seen / (3 * conds.length),
  };
}

/**
 * lcov: a rule is a line (its first line; hits = times fired), each atomic condition a branch
 * block with three branches (true, false, undetermined) on the rule's `when` line.
 */
export function toLcov(report: CoverageReport, file: string, map: SourceMap): string {
  const out = [`TN:${report.policy.id}@${report.policy.version}`, `SF:${file}`];
  let lines = 0;
  let hit = 0;
  let branches = 0;
  let taken = 0;
  let block = 0;
  for (const [id, r] of Object.entries(report.rules)) {
    const ranges = map.rules.get(id);
    const line = ranges?.rule?.start.line;
    if (line === undefined) continue;
    out.push(`FN:${line},${id}`, `FNDA:${r.fired},${id}`, `DA:${line},${r.fired}`);
    lines++;
    if (r.fired > 0) hit++;
    const whenLine = ranges?.when?.start.line ?? line;
    for (const c of r.conditions) {
      [c.true, c.false, c.undetermined].forEach((k, i) => {
        out.push(`BRDA:${whenLine},${block},${i},${k > 0 ? k : '-'}`);
        branches++;
        if (k > 0) taken++;
      });
      block++;
    }
  }
  out.push(`FNF:${lines}`, `FNH:${hit}`, `LF:${lines}`, `LH:${hit}`, `BRF:${branches}`, `BRH:${taken}`, 'end_of_record');
  return out.join('\n') + '\n';
}
