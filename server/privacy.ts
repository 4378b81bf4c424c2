/**
 * Personal facts declared by the policy, on the read side (the write side is the decision log's
 * masking, engine/privacy/): who may see the personal facts a decision kept because a rule reads
 * them, records as a reader sees them, and which logged facts replay can still use.
 *
 * Who sees kept personal facts (the rule is here, not in auth/, so the permission table stays
 * route-level): `admin` and `reviewer`, who check cases; `system` only in decisions it made
 * itself (its own caller name); everyone else (author, viewer, and any role added later) sees them
 * masked. Unread personal facts are masked in storage for everyone, and the subject is only ever
 * stored as a keyed hash.
 */
import type { Actor } from './context.ts';
import type { PolicyIR } from '../engine/ir/types.ts';
import { readNames } from '../engine/privacy/plan.ts';
import { hidePaths } from '../engine/privacy/mask.ts';
import type { DecisionRecord, Role } from './store/store.ts';

/** Roles that see kept personal facts in every decision. */
export const PERSONAL_READERS: readonly Role[] = ['admin', 'reviewer'];

/** May this role see kept personal facts? `own`: the decision was made by this very caller. */
export function mayReadPersonal(role: Role, own = false): boolean {
  return PERSONAL_READERS.includes(role) || (role === 'system' && own);
}

/** A logged decision as `actor` may see it: kept personal facts masked unless the role may read them. */
export function forReader<R extends DecisionRecord>(rec: R, actor: Actor, salt: string): R & { personalHidden?: true } {
  const paths = rec.personal ?? [];
  if (paths.length === 0 || mayReadPersonal(actor.role, rec.caller === actor.name)) return rec;
  // A trace shows the values conditions compared, a kept personal fact's among them.
  const decision = rec.decision && typeof rec.decision === 'object' && 'trace' in rec.decision ? { ...rec.decision, trace: undefined } : rec.decision;
  return { ...rec, facts: hidePaths(rec.facts, paths, salt), decision, personalHidden: true };
}

/**
 * The logged facts replay can decide on with `ir`: masked values dropped (they replay as missing).
 * When a rule of `ir` reads a masked name, replay would judge a hash instead of the fact: `read`
 * names those, and the decision is not replayable. Names of record fields are matched by name in
 * any list, as the server-wide `maskFields` masks them.
 */
export function replayableFacts(facts: unknown, masked: readonly string[], ir: PolicyIR): { facts: unknown; read?: undefined } | { read: string[] } {
  if (masked.length === 0) return { facts };
  const reads = readNames(ir);
  const fieldNames = new Set([...reads.fields].map((p) => p.slice(p.indexOf('.') + 1)));
  const read = masked.filter((n) => reads.facts.has(n) || fieldNames.has(n));
  if (read.length) return { read };
  const gone = new Set(masked);
  const drop = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(drop);
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!gone.has(k)) out[k] = drop(x);
    return out;
  };
  return { facts: drop(facts) };
}
