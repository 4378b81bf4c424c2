/**
 * Grants: a person holds roles, each over some jurisdictions (a list, or `*` for all). An author
 * for gansu drafts gansu/* only; a reviewer for shanxi approves shanxi/* only; a viewer on `*`
 * (a central reader) sees everything. Reviewer and admin grants need a second admin's approval
 * before they count (four eyes on identities).
 */
import type { Role } from '../store/store.ts';

export type Scope = '*' | string[];

export interface Grant {
  role: Role;
  jurisdictions: Scope;
  status: 'active' | 'pending';
  /** Person id of the admin who asked for a pending grant: they may not approve it themselves. */
  requestedBy?: number;
}

/** Roles that can approve a change or mint identities: a second admin must approve them. */
export const PRIVILEGED: readonly Role[] = ['admin', 'reviewer'];

/** A jurisdiction name: lower-case letters, digits, `_` and `-` (the first segment of a policy id). */
export const JURISDICTION = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The jurisdiction a policy id (`gansu/低保`) or draft ref belongs to. */
export function jurisdictionOf(policyId: string): string {
  const at = policyId.indexOf('/');
  return at < 0 ? policyId : policyId.slice(0, at);
}

export function inScope(scope: Scope, jurisdiction: string): boolean {
  return scope === '*' || scope.includes(jurisdiction);
}

/** Whether a policy id lies in a scope; an unnamed policy (a draft not yet naming one) does for everyone. */
export function policyInScope(scope: Scope, policyId: string | undefined): boolean {
  return policyId === undefined || inScope(scope, jurisdictionOf(policyId));
}

/** The union of two scopes. */
export function widen(a: Scope, b: Scope): Scope {
  if (a === '*' || b === '*') return '*';
  return [...new Set([...a, ...b])].sort();
}
