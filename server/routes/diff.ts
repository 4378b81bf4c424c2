/** Semantic and textual diff between two versions, or a draft and a version. */
import { diffPolicies, textDiff } from '../../engine/diff/index.ts';
import { actorOf, depsOf, route, type App } from '../context.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import { loadRef, parseRef, resolveRef } from '../refs.ts';
import { ApiError } from '../errors.ts';
import type { DiffResponse } from '../wire.ts';
import { textIn } from '../text-view.ts';

export function diffRoutes(app: App): void {
  route(app, 'GET /api/v1/diff', async (c) => {
    const deps = depsOf(c);
    const a = await loadRef(deps, parseRef(c.req.query('a'), 'query.a'), 'query.a');
    const b = await loadRef(deps, parseRef(c.req.query('b'), 'query.b'), 'query.b');
    // Both sides in the caller's jurisdictions (a draft's by the policy it declares).
    requirePolicyScope(actorOf(c), a.ir.id, 'query.a');
    requirePolicyScope(actorOf(c), b.ir.id, 'query.b');
    // Same notation on both sides, so the line diff shows content, not a change of format.
    const text =
      a.format === b.format
        ? textDiff(a.source, b.source)
        : textDiff(textIn(a, 'dsl', deps.engine.printPolicy), textIn(b, 'dsl', deps.engine.printPolicy));
    const impactWanted = c.req.query('impact');
    if (impactWanted !== undefined && impactWanted !== 'true' && impactWanted !== 'false') {
      throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.impact', message: { zh: '应为 true 或 false', en: 'must be true or false' } }]);
    }
    let impact;
    if (impactWanted === 'true') {
      // Both sides as the evaluator reads them (a variant with its base merged), each on its own
      // first day; the solver compares them over b's period. Loaded on demand: Z3 is Wasm.
      const ra = await resolveRef(deps, parseRef(c.req.query('a'), 'query.a'), a.ir.effectiveFrom, 'query.a');
      const rb = await resolveRef(deps, parseRef(c.req.query('b'), 'query.b'), b.ir.effectiveFrom, 'query.b');
      const { changeImpact } = await import('../../engine/analysis/impact.ts');
      impact = await changeImpact(ra.ir, rb.ir, { timeoutMs: 5000 });
    }
    return c.json<DiffResponse>({
      a: { ref: a.label, ...(a.hash ? { hash: a.hash } : {}) },
      b: { ref: b.label, ...(b.hash ? { hash: b.hash } : {}) },
      semantic: diffPolicies(a.ir, b.ir),
      text,
      ...(impact ? { impact } : {}),
    });
  });
}
