/**
 * Jurisdiction scopes on routes: a request that names a policy (path parameters, a draft or a
 * decision by id, or a body's policy ref) is refused (403 auth.out-of-scope) when the token's
 * grant does not cover the policy's jurisdiction; lists are filtered to what the person may see.
 * A `system` token sees only the decisions it (its person) made.
 */
import type { Actor, Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import type { DecisionRecord, JobRecord } from '../store/store.ts';
import { inScope, jurisdictionOf, policyInScope } from './grants.ts';
import { personKey } from './person.ts';
import type { RouteKey } from './permissions.ts';

export function mayTouch(actor: Actor, policyId: string | undefined): boolean {
  return policyInScope(actor.scope, policyId);
}

export function outOfScope(actor: Actor, policyId: string, path: string): ApiError {
  const j = jurisdictionOf(policyId);
  return ApiError.of(403, 'auth.out-of-scope', [
    { path, message: { zh: `${actor.name} 的 ${actor.role} 授权不包括辖区 ${j}(${policyId})`, en: `${actor.name}'s ${actor.role} grant does not cover jurisdiction ${j} (${policyId})` } },
  ]);
}

export function requirePolicyScope(actor: Actor, policyId: string | undefined, path: string): void {
  if (policyId !== undefined && !mayTouch(actor, policyId)) throw outOfScope(actor, policyId, path);
}

/** Whether the actor may see a logged decision: its policy in scope, and a system only its own. */
export function maySeeDecision(actor: Actor, rec: Pick<DecisionRecord, 'policyId' | 'caller'>): boolean {
  if (!mayTouch(actor, rec.policyId)) return false;
  return actor.role !== 'system' || personKey(rec.caller) === personKey(actor.name);
}

/**
 * The jurisdictions a job was made over (both sides' policies, stored in its params). A job
 * without them was made before jobs remembered them: only a central reader (`*`) sees it.
 */
export function jobJurisdictions(job: Pick<JobRecord, 'params'>): string[] {
  const j = (job.params as { jurisdictions?: unknown } | null)?.jurisdictions;
  return Array.isArray(j) ? j.filter((x): x is string => typeof x === 'string') : [];
}

/** Whether the actor's scope covers every jurisdiction of a job. */
export function maySeeJob(actor: Actor, job: Pick<JobRecord, 'params'>): boolean {
  if (actor.scope === '*') return true;
  const js = jobJurisdictions(job);
  return js.length > 0 && js.every((j) => inScope(actor.scope, j));
}

export function jobNotFound(id: string, path = 'path.id'): ApiError {
  return ApiError.of(404, 'job.not-found', [{ path, message: { zh: `任务 ${id}`, en: `job ${id}` } }]);
}

/**
 * Checks the policy a route names before its handler runs (the route guard calls it): the
 * `:jurisdiction` path parameter, the draft `:id` names (its current policy), the decision `:id`
 * names, the job `:id` names (its jurisdictions). Unknown drafts, decisions and jobs are left to
 * the handler's 404.
 */
export async function checkRouteScope(c: Ctx, key: RouteKey, actor: Actor): Promise<void> {
  const path = key.slice(key.indexOf(' ') + 1);
  if (path.includes('/:jurisdiction/:topic')) {
    const id = `${c.req.param('jurisdiction' as never)}/${c.req.param('topic' as never)}`;
    if (!mayTouch(actor, id)) throw outOfScope(actor, id, 'path.jurisdiction');
    return;
  }
  const deps = c.get('deps');
  if (path.startsWith('/api/v1/drafts/:id')) {
    const raw = c.req.param('id' as never) as string;
    const id = Number(raw);
    if (!Number.isSafeInteger(id)) return;
    const d = await deps.store.draft(id);
    if (d?.policyId && !mayTouch(actor, d.policyId)) throw outOfScope(actor, d.policyId, 'path.id');
    return;
  }
  if (path.startsWith('/api/v1/decisions/:id')) {
    const rec = await deps.store.decision(c.req.param('id' as never) as string);
    // Out of sight is as if absent: a decision's id says nothing of a household to someone who may not see it.
    if (rec && !maySeeDecision(actor, rec)) {
      throw ApiError.of(404, 'decision.not-found', [{ path: 'path.id', message: { zh: rec.id, en: rec.id } }]);
    }
    return;
  }
  if (path.startsWith('/api/v1/jobs/:id')) {
    const id = c.req.param('id' as never) as string;
    const job = await deps.store.job(id);
    // As decisions: a job over households out of scope is as if absent.
    if (job && !maySeeJob(actor, job)) throw jobNotFound(id);
  }
}
