/**
 * Which of a policy version's facts are personal, and what the decision log does with each
 * (docs/language.md, "Personal facts and the subject"): a personal fact or list field that no rule
 * reads is masked before the decision is stored; one a rule reads is kept, so replay gives the
 * same decision, and shown only to roles allowed personal data; the subject fact is stored only as
 * a keyed hash. "Reads" is engine/analysis/usage.ts's: conditions, lets, computed values and the
 * definitions they use. Browser-safe (the admin UI shows the same plan).
 */
import { ruleReads } from '../analysis/usage.ts';
import type { FactDecl, PolicyIR } from '../ir/types.ts';

export interface PrivacyPlan {
  /** Personal top-level facts no rule reads: masked before logging. */
  masked: string[];
  /** Personal list fields no rule reads, by list fact. */
  maskedFields: Record<string, string[]>;
  /** Personal facts (and list fields as `<list>[].<field>`) a rule reads: kept, hidden from roles without personal access. */
  kept: string[];
  /** The subject fact (always stored as a keyed hash), when the policy declares one. */
  subject?: string;
}

export const isPersonal = (f: FactDecl): boolean => f.personal === true || f.subject === true;

/** Every fact and list-field path a rule of the (merged) policy reads. */
export function readNames(ir: PolicyIR): { facts: Set<string>; fields: Set<string> } {
  const facts = new Set<string>();
  const fields = new Set<string>();
  for (const r of ir.rules) {
    const reads = ruleReads(ir, r);
    reads.facts.forEach((x) => facts.add(x));
    reads.fields.forEach((x) => fields.add(x));
  }
  return { facts, fields };
}

const plans = new WeakMap<PolicyIR, PrivacyPlan>();

/** The plan of a resolved (base merged in) policy version; computed once per IR object. */
export function privacyPlan(ir: PolicyIR): PrivacyPlan {
  const cached = plans.get(ir);
  if (cached) return cached;
  const reads = readNames(ir);
  const plan: PrivacyPlan = { masked: [], maskedFields: {}, kept: [] };
  for (const f of ir.facts) {
    if (f.subject) plan.subject = f.name;
    else if (f.personal) (reads.facts.has(f.name) ? plan.kept : plan.masked).push(f.name);
    if (f.type.kind !== 'list') continue;
    for (const x of f.type.fields) {
      if (!isPersonal(x)) continue;
      if (reads.fields.has(`${f.name}.${x.name}`)) plan.kept.push(`${f.name}[].${x.name}`);
      else (plan.maskedFields[f.name] ??= []).push(x.name);
    }
  }
  plans.set(ir, plan);
  return plan;
}

/** Whether the plan changes anything that is stored. */
export function planMasks(plan: PrivacyPlan): boolean {
  return plan.masked.length > 0 || Object.keys(plan.maskedFields).length > 0 || plan.subject !== undefined;
}
