/**
 * Evaluation: one decision, several variants side by side; and the decision log (fetch, replay).
 * NDJSON batches are in ./batch.ts. Every decision is committed to the log before its answer leaves.
 */
import type { Decision } from '../../engine/evaluate/types.ts';
import { actorOf, depsOf, param, route, todayInShanghai, type App, type Ctx } from '../context.ts';
import type { ResolvedPolicyLike } from '../engine.ts';
import { ApiError } from '../errors.ts';
import { mayEvaluateDrafts } from '../auth/permissions.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import { resolveDraft, resolvePublished } from '../refs.ts';
import type { DraftMarker } from '../store/store.ts';
import * as C from '../contract/wire.ts';
import { jsonBody } from '../validate.ts';
import type { CompareItem, CompareRequest, CompareResponse, DecisionRecord, EvaluateRequest, EvaluateResponse, Facts, ReplayResponse } from '../wire.ts';
import { forReader, replayableFacts } from '../privacy.ts';

/** 422 with the facts' errors, as the single and batch answers report them. */
export function invalidFacts(d: Decision): ApiError {
  return ApiError.of(
    422,
    'facts.invalid',
    d.factErrors.map((e) => ({ path: `/facts${e.path}`, message: { zh: e.message.zh, en: e.message.en ?? e.message.zh }, code: e.code })),
  );
}

/** Facts declared by the policy only; the rest are reported, not rejected (side-by-side answers). */
function declaredOnly(resolved: ResolvedPolicyLike, facts: Record<string, unknown>) {
  const names = new Set(resolved.ir.facts.map((f) => f.name));
  const kept: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(facts)) (names.has(k) ? (kept[k] = v) : ignored.push(k));
  return { kept, ignored };
}

/** `draft:<id>`: a policy reference that names a draft as saved now. */
export const DRAFT_REF = /^draft:(\d+)$/;

/** 400: a draft is its text as saved now, with no version to pick (in the body or the query). */
export function draftVersionRefused(code: 'http.invalid-body' | 'http.invalid-query', path: string): ApiError {
  return ApiError.of(400, code, [{ path, message: { zh: '草稿没有可选的版本,请去掉 version', en: 'a draft has no version to pick; leave `version` out' } }]);
}

/** 403 unless the caller's role may evaluate drafts (auth/permissions.ts `DRAFT_EVALUATORS`). */
export function requireDraftEvaluator(c: Ctx, path: string): void {
  const { role } = actorOf(c);
  if (!mayEvaluateDrafts(role)) {
    throw ApiError.of(403, 'auth.forbidden', [
      { path, message: { zh: `角色 ${role} 只能评估已发布的版本,不能评估草稿`, en: `role ${role} may evaluate published versions only, not drafts` } },
    ]);
  }
}

/**
 * `policy` is a policy id (the version given, or the one in force on `asOf`) or `draft:<id>`
 * (the draft as saved now; a draft has no version to pick).
 */
async function resolveForEvaluation(
  c: Ctx,
  policy: string,
  version: string | undefined,
  asOf: string,
  path: string,
): Promise<{ resolved: ResolvedPolicyLike; draft?: DraftMarker }> {
  const m = DRAFT_REF.exec(policy);
  if (!m) {
    requirePolicyScope(actorOf(c), policy, path);
    await depsOf(c).policies.ensure(policy, version);
    return { resolved: resolvePublished(depsOf(c), policy, version, asOf, path) };
  }
  requireDraftEvaluator(c, path);
  if (version) throw draftVersionRefused('http.invalid-body', path.replace(/policy$/, 'version'));
  requirePolicyScope(actorOf(c), (await depsOf(c).store.draft(Number(m[1])))?.policyId, path);
  return resolveDraft(depsOf(c), Number(m[1]), asOf, path);
}

export function evaluateRoutes(app: App): void {
  route(app, 'POST /api/v1/evaluate', async (c) => {
    const d = depsOf(c);
    const body = await jsonBody(c, C.EvaluateRequest);
    const asOf = body.asOf ?? todayInShanghai(d.clock);
    const explain = body.explain ?? c.req.query('explain') === 'true';
    const { resolved, draft } = await resolveForEvaluation(c, body.policy, body.version, asOf, '/policy');
    // Without a trace the compiled evaluator decides: the same decision, far faster.
    const decision = explain ? await d.engine.evaluate(resolved, body.facts, { asOf, explain }) : d.engine.decide(resolved, body.facts, { asOf });
    if (decision.status === 'invalid-facts') throw invalidFacts(decision);
    const decisionId = await d.decisions.record({ caller: actorOf(c).name, policy: resolved, decision, facts: body.facts, draft, subject: body.subject });
    d.metrics.decisions++;
    return c.json<EvaluateResponse>({ decisionId, decision, ...(draft ? { draft } : {}) });
  });

  route(app, 'POST /api/v1/evaluate/compare', async (c) => {
    const d = depsOf(c);
    const body = await jsonBody(c, C.CompareRequest);
    const asOf = body.asOf ?? todayInShanghai(d.clock);
    // The caller's role is checked for the whole request, not per side: it is about who asks.
    body.policies.forEach((p, i) => DRAFT_REF.test(p.policy) && requireDraftEvaluator(c, `/policies/${i}/policy`));
    const results = await Promise.all(
      body.policies.map(async (p, i): Promise<CompareItem> => {
        try {
          const { resolved, draft } = await resolveForEvaluation(c, p.policy, p.version, asOf, `/policies/${i}/policy`);
          const { kept, ignored } = declaredOnly(resolved, body.facts);
          const decision = body.explain ? await d.engine.evaluate(resolved, kept, { asOf, explain: true }) : d.engine.decide(resolved, kept, { asOf });
          if (decision.status === 'invalid-facts') throw invalidFacts(decision);
          const decisionId = await d.decisions.record({ caller: actorOf(c).name, policy: resolved, decision, facts: kept, draft });
          d.metrics.decisions++;
          return {
            policy: p.policy,
            version: decision.policy.version,
            jurisdiction: decision.policy.jurisdiction,
            decisionId,
            decision,
            ignoredFacts: ignored,
            ...(draft ? { draft } : {}),
          };
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
          return { policy: p.policy, ...(p.version ? { version: p.version } : {}), status: e.status, ...e.body() };
        }
      }),
    );
    return c.json<CompareResponse>({ asOf, results });
  });

  route(app, 'GET /api/v1/decisions/:id', async (c) => {
    const store = depsOf(c).store;
    const stored = await store.decision(param(c, 'id'));
    if (!stored) throw ApiError.of(404, 'decision.not-found', [{ path: 'path.id', message: { zh: param(c, 'id'), en: param(c, 'id') } }]);
    // An edited row is served, but not as genuine: its batch no longer hashes to what was committed.
    const intact = (await store.decisionIntegrity(stored.id)) === 'intact';
    // Kept personal facts masked for roles that may not see them (../privacy.ts).
    const rec = forReader(stored, actorOf(c), depsOf(c).decisions.maskSalt);
    // The store reads facts and decision back from JSON as `unknown`; they were logged as these.
    return c.json<DecisionRecord>({ ...rec, facts: rec.facts as Facts, decision: rec.decision as Decision, intact });
  });

  route(app, 'POST /api/v1/decisions/:id/replay', async (c) => {
    const d = depsOf(c);
    const rec = await d.store.decision(param(c, 'id'));
    if (!rec) throw ApiError.of(404, 'decision.not-found', [{ path: 'path.id', message: { zh: param(c, 'id'), en: param(c, 'id') } }]);
    const original = rec.decision as Decision;
    let resolved: ResolvedPolicyLike;
    if (rec.draft) {
      // Made on a draft: replayed on the draft, if its text is still the one decided on.
      requireDraftEvaluator(c, 'decision.draft');
      const now = await resolveDraft(d, rec.draft.id, rec.asOf, 'decision.draft');
      if (now.draft.hash !== rec.draft.hash) {
        return c.json<ReplayResponse>({
          decisionId: rec.id,
          replayable: false,
          same: null,
          reason: {
            zh: `草稿 ${rec.draft.id} 已改动(第 ${rec.draft.revision} 版 → 第 ${now.draft.revision} 版),原来的文本不再保存`,
            en: `draft ${rec.draft.id} has changed since (revision ${rec.draft.revision} → ${now.draft.revision}); the text decided on is no longer kept`,
          },
        });
      }
      resolved = now.resolved;
    } else resolved = resolvePublished(d, rec.policyId, rec.version, rec.asOf, 'decision.policy');
    // Masked values are gone by design. Those no rule reads replay as missing, which changes
    // nothing (../privacy.ts); replaying one a rule reads would judge a hash, not the fact.
    const facts = replayableFacts(rec.facts, rec.masked, resolved.ir);
    if (facts.read) {
      return c.json<ReplayResponse>({
        decisionId: rec.id,
        replayable: false,
        same: null,
        reason: { zh: `记录中的 ${facts.read.join('、')} 已脱敏,而规则读取它们,无法重放`, en: `fields ${facts.read.join(', ')} were masked and a rule reads them; the decision cannot be replayed` },
      });
    }
    // Replay is the check on the fast path, so it runs the reference evaluator.
    const replayed = await d.engine.evaluate(resolved, facts.facts, { asOf: rec.asOf, explain: original.trace !== undefined });
    const strip = (x: Decision) => JSON.stringify({ ...x, trace: undefined });
    // A record edited after logging would otherwise replay as `same` on its edited facts.
    const intact = (await d.store.decisionIntegrity(rec.id)) === 'intact';
    return c.json<ReplayResponse>({
      decisionId: rec.id,
      replayable: true,
      same: intact && strip(original) === strip(replayed) && resolved.stamp.hash === rec.policyHash,
      policyHashSame: resolved.stamp.hash === rec.policyHash,
      intact,
      original,
      replayed,
    });
  });
}
