/**
 * `POST /api/v1/analyze`: the solver's findings on a policy text the editor has not saved. Compiled
 * as a draft is (a variant's base from the library), then analysed on the engine's analysis thread
 * (engine/parallel/analysis.ts), never on this event loop; bounded by `budgetMs`, superseded by a
 * newer request with the same key from the same person, dropped when the client goes away.
 */
import type { PolicyIR } from '../../engine/ir/types.ts';
import { hasErrors } from '../../dsl/diagnostics.ts';
import { AnalysisBusy } from '../../engine/parallel/analysis.ts';
import { actorOf, depsOf, route, type App } from '../context.ts';
import * as C from '../contract/wire.ts';
import { ApiError } from '../errors.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import { jsonBody } from '../validate.ts';
import type { AnalyzeResponse } from '../wire.ts';
import type { LibraryLike } from '../engine.ts';

/** Default and per-question bounds (ms): the editor wants an answer in seconds, not the CLI's minutes. */
const DEFAULT_BUDGET_MS = 10_000;
const QUERY_TIMEOUT_MS = 5_000;

/** The published versions the analysis needs: the other versions of the draft's id and its bases' (whole chain). */
function neededVersions(library: LibraryLike, ir: PolicyIR): PolicyIR[] {
  const out: PolicyIR[] = [];
  const seen = new Set<string>();
  const take = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const v of library.versions(id)) {
      out.push(v);
      if (v.extends) take(v.extends.policy);
    }
  };
  take(ir.id);
  if (ir.extends) take(ir.extends.policy);
  return out;
}

export function analyzeRoutes(app: App): void {
  route(app, 'POST /api/v1/analyze', async (c) => {
    const deps = depsOf(c);
    const body = await jsonBody(c, C.AnalyzeRequest);
    const r = deps.policies.compile(body.source, body.format ?? 'dsl', 'draft');
    if (!r.value || hasErrors(r.diagnostics)) return c.json<AnalyzeResponse>({ ok: false, diagnostics: r.diagnostics });
    // As for drafts: the text's own policy must be in the caller's grant (its base is only read).
    requirePolicyScope(actorOf(c), r.value.id, '/source');
    const budgetMs = body.budgetMs ?? DEFAULT_BUDGET_MS;
    let outcome;
    try {
      outcome = await deps.engine.analyzer().analyze({
        job: { ir: r.value, text: body.source, file: 'draft', library: neededVersions(deps.policies.library, r.value), timeoutMs: Math.min(QUERY_TIMEOUT_MS, Math.max(1, budgetMs)) },
        budgetMs,
        // Keys are per person: one author's editor never cancels another's.
        ...(body.key !== undefined ? { key: `${actorOf(c).name}\u0000${body.key}` } : {}),
        signal: c.req.raw.signal,
      });
    } catch (e) {
      if (e instanceof AnalysisBusy) throw ApiError.of(503, 'analysis.busy');
      throw e;
    }
    if (outcome.status === 'superseded') throw ApiError.of(409, 'analysis.superseded');
    if (outcome.status === 'cancelled') throw ApiError.of(409, 'analysis.cancelled');
    const timedOut = outcome.findings.some((f) => f.code === 'analysis.solver-unknown' && /\((timeout|canceled)\)/.test(f.message.en));
    return c.json<AnalyzeResponse>({ ok: true, diagnostics: r.diagnostics, findings: outcome.findings, timedOut, elapsedMs: outcome.elapsedMs });
  });
}
