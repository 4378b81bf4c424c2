/** Semantic and textual diff between two versions, or a draft and a version. */
import { diffPolicies, textDiff } from '../../engine/diff/index.ts';
import { depsOf, route, type App } from '../context.ts';
import { loadRef, parseRef } from '../refs.ts';
import type { DiffResponse } from '../wire.ts';

export function diffRoutes(app: App): void {
  route(app, 'GET /api/v1/diff', async (c) => {
    const deps = depsOf(c);
    const a = await loadRef(deps, parseRef(c.req.query('a'), 'query.a'), 'query.a');
    const b = await loadRef(deps, parseRef(c.req.query('b'), 'query.b'), 'query.b');
    // Same notation on both sides, so the line diff shows content, not a change of format.
    const text =
      a.format === b.format
        ? textDiff(a.source, b.source)
        : textDiff(deps.engine.printPolicy(a.ir, 'dsl'), deps.engine.printPolicy(b.ir, 'dsl'));
    return c.json<DiffResponse>({
      a: { ref: a.label, ...(a.hash ? { hash: a.hash } : {}) },
      b: { ref: b.label, ...(b.hash ? { hash: b.hash } : {}) },
      semantic: diffPolicies(a.ir, b.ir),
      text,
    });
  });
}
