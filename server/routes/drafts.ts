/**
 * Drafts and review: create from a version (or from source), edit under optimistic concurrency
 * (ETag / If-Match, 412 when stale), validate, submit, approve or reject (four eyes: never by one
 * of the draft's authors), publish as an immutable, content-addressed version.
 */
import { createHash } from 'node:crypto';
import { hasErrors, type Diagnostic } from '../../dsl/diagnostics.ts';
import { actorOf, depsOf, param, route, type App, type AppDeps, type Ctx } from '../context.ts';
import { ApiError, diagnosticDetails } from '../errors.ts';
import { StoreConflict, type DraftRecord, type DraftStatus, type SourceFormat } from '../store/store.ts';
import { loadRef, resolveDraft } from '../refs.ts';
import { samePerson } from '../auth/person.ts';
import { mayTouch, requirePolicyScope } from '../auth/scope.ts';
import { checkPublish } from '../../engine/analysis/versions.ts';
import * as C from '../contract/wire.ts';
import { jsonBody } from '../validate.ts';
import type { CreateDraft, DraftDetail, DraftListResponse, JsonSchema, PublishResponse, RejectRequest, ReviewRequest, SavedDraft, UpdateDraft, ValidateResponse } from '../wire.ts';
import { factSchemaOf } from './policies.ts';

export function etagOf(d: Pick<DraftRecord, 'revision' | 'source'>): string {
  return `"r${d.revision}-${createHash('sha256').update(d.source).digest('hex').slice(0, 16)}"`;
}

async function view(deps: AppDeps, d: DraftRecord): Promise<DraftDetail> {
  return { ...d, etag: etagOf(d), reviews: await deps.store.reviews(d.id) };
}

function draftId(c: Ctx): number {
  const raw = param(c, 'id');
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw ApiError.of(404, 'draft.not-found', [{ path: 'path.id', message: { zh: `草稿 ${raw}`, en: `draft ${raw}` } }]);
  return id;
}

function notFound(id: number): ApiError {
  return ApiError.of(404, 'draft.not-found', [{ path: 'path.id', message: { zh: `草稿 ${id}`, en: `draft ${id}` } }]);
}

function requireState(d: DraftRecord, allowedStates: DraftStatus[]): void {
  if (!allowedStates.includes(d.status)) {
    throw ApiError.of(409, 'draft.invalid-state', [
      { path: 'draft.status', message: { zh: `草稿状态为 ${d.status},需为 ${allowedStates.join(' / ')}`, en: `the draft is ${d.status}; needs ${allowedStates.join(' / ')}` } },
    ]);
  }
}

function checkIfMatch(c: Ctx, d: DraftRecord, required: boolean): void {
  const given = c.req.header('if-match');
  if (!given) {
    if (required) throw ApiError.of(428, 'http.precondition-required', [{ path: 'header.if-match', message: { zh: '缺少 If-Match', en: 'If-Match missing' } }]);
    return;
  }
  const tags = given.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (!tags.includes(etagOf(d)) && !tags.includes('*')) {
    throw ApiError.of(412, 'http.precondition-failed', [
      { path: 'header.if-match', message: { zh: `当前 ETag 为 ${etagOf(d)}`, en: `the current ETag is ${etagOf(d)}` } },
    ]);
  }
}

function compile(deps: AppDeps, d: Pick<DraftRecord, 'id' | 'source' | 'format'>) {
  return deps.policies.compile(d.source, d.format, `draft:${d.id}`);
}

/**
 * Refuses source nested past the limit (dsl/depth.ts). Other errors are saved with the draft to be
 * fixed later, but a tree too deep to build is not a draft in progress: it is hostile or generated.
 */
function refuseTooDeep(diagnostics: readonly Diagnostic[]): void {
  const deep = diagnostics.filter((d) => d.code.endsWith('.too-deep'));
  if (deep.length > 0) throw ApiError.of(422, 'draft.too-deep', diagnosticDetails(deep));
}

/** Runs a store update, translating the store's refusals into API errors. */
async function updating(p: Promise<DraftRecord | undefined>, id: number): Promise<DraftRecord> {
  try {
    const d = await p;
    if (!d) throw notFound(id);
    return d;
  } catch (e) {
    if (e instanceof StoreConflict && e.kind === 'exists') {
      throw ApiError.of(409, 'policy.version-exists', [{ path: '/version', message: { zh: e.message, en: e.message } }]);
    }
    if (e instanceof StoreConflict && e.kind === 'same-start') {
      throw ApiError.of(409, 'policy.effective-from-taken', [
        {
          path: '/effectiveFrom',
          message: {
            zh: `版本 ${e.message} 已从同一天起生效;请改用另一个生效日期`,
            en: `version ${e.message} is already in force from the same day; choose another effective date`,
          },
        },
      ]);
    }
    throw e;
  }
}

export function draftRoutes(app: App): void {
  route(app, 'GET /api/v1/drafts', async (c) => {
    const status = c.req.query('status') as DraftStatus | undefined;
    const items = (await depsOf(c).store.listDrafts({ status: status || undefined, policyId: c.req.query('policy') || undefined })).filter((d) => mayTouch(actorOf(c), d.policyId));
    return c.json<DraftListResponse>({ items: items.map((d) => ({ ...d, etag: etagOf(d) })) });
  });

  route(app, 'POST /api/v1/drafts', async (c) => {
    const deps = depsOf(c);
    const body = await jsonBody(c, C.CreateDraft);
    let input: { policyId?: string; baseHash?: string; format: SourceFormat; source: string };
    if (body.from) {
      const v = deps.policies.record(body.from.policy, body.from.version);
      if (!v) {
        const known = deps.policies.records().some((r) => r.policyId === body.from!.policy);
        throw ApiError.of(404, known ? 'policy.version-not-found' : 'policy.not-found', [
          { path: '/from', message: { zh: `${body.from.policy}@${body.from.version}`, en: `${body.from.policy}@${body.from.version}` } },
        ]);
      }
      input = { policyId: v.policyId, baseHash: v.hash, format: v.format, source: v.source };
    } else {
      const format = body.format ?? (/^\s*policy\s*:/m.test(body.source!) ? 'yaml' : 'dsl');
      const r = deps.policies.compile(body.source!, format);
      refuseTooDeep(r.diagnostics);
      input = { policyId: r.value?.id, format, source: body.source! };
    }
    // An author for gansu drafts gansu/* only: not a variant's base in another jurisdiction.
    requirePolicyScope(actorOf(c), input.policyId, body.from ? '/from/policy' : '/source');
    const d = await deps.store.createDraft({ ...input, author: actorOf(c).name });
    c.header('ETag', etagOf(d));
    return c.json<DraftDetail>(await view(deps, d), 201);
  });

  route(app, 'GET /api/v1/drafts/:id', async (c) => {
    const deps = depsOf(c);
    const d = await deps.store.draft(draftId(c));
    if (!d) throw notFound(draftId(c));
    c.header('ETag', etagOf(d));
    return c.json<DraftDetail>(await view(deps, d));
  });

  route(app, 'GET /api/v1/drafts/:id/schema', async (c) => {
    // The Try it form for a draft: its facts with those of its base, as the published route gives.
    const deps = depsOf(c);
    const id = draftId(c);
    const loaded = await loadRef(deps, { kind: 'draft', id }, 'path.id');
    const { resolved } = await resolveDraft(deps, id, loaded.ir.effectiveFrom, 'path.id');
    return c.json<JsonSchema>(factSchemaOf(deps.engine.factSchema(resolved.ir)));
  });

  route(app, 'PUT /api/v1/drafts/:id', async (c) => {
    const deps = depsOf(c);
    const id = draftId(c);
    const body = await jsonBody(c, C.UpdateDraft);
    const actor = actorOf(c).name;
    let r: ReturnType<typeof compile> = { diagnostics: [] };
    const d = await updating(
      deps.store.updateDraft(
        id,
        actor,
        'draft.edit',
        (before) => {
          requireState(before, ['editing', 'rejected']);
          checkIfMatch(c, before, true);
        },
        (before) => {
          r = compile(deps, { id, source: body.source, format: body.format ?? before.format });
          refuseTooDeep(r.diagnostics);
          // A save cannot move the draft to a policy outside the author's jurisdictions.
          requirePolicyScope(actorOf(c), r.value?.id, '/source');
          return { source: body.source, format: body.format ?? before.format, status: 'editing', policyId: r.value?.id, bumpRevision: true };
        },
      ),
      id,
    );
    c.header('ETag', etagOf(d));
    return c.json<SavedDraft>({ ...(await view(deps, d)), diagnostics: r.diagnostics });
  });

  route(app, 'POST /api/v1/drafts/:id/validate', async (c) => {
    const deps = depsOf(c);
    const d = await deps.store.draft(draftId(c));
    if (!d) throw notFound(draftId(c));
    const r = compile(deps, d);
    const base = { revision: d.revision, etag: etagOf(d), diagnostics: r.diagnostics };
    return c.json<ValidateResponse>(
      r.value && !hasErrors(r.diagnostics) ? { ok: true, ...base, hash: deps.engine.policyHash(r.value), ir: r.value } : { ok: false, ...base },
    );
  });

  route(app, 'POST /api/v1/drafts/:id/submit', async (c) => {
    const deps = depsOf(c);
    const id = draftId(c);
    const body = await jsonBody(c, C.ReviewRequest, { optional: true });
    const d = await updating(
      deps.store.updateDraft(
        id,
        actorOf(c).name,
        'draft.submit',
        (before) => {
          requireState(before, ['editing', 'rejected']);
          checkIfMatch(c, before, false);
          const r = compile(deps, before);
          if (!r.value || hasErrors(r.diagnostics)) throw ApiError.of(422, 'draft.has-errors', diagnosticDetails(r.diagnostics));
        },
        () => ({ status: 'in-review', review: { action: 'submit', comment: body.comment } }),
      ),
      id,
    );
    return c.json<DraftDetail>(await view(deps, d));
  });

  route(app, 'POST /api/v1/drafts/:id/approve', async (c) => {
    const deps = depsOf(c);
    const id = draftId(c);
    const body = await jsonBody(c, C.ReviewRequest, { optional: true });
    const actor = actorOf(c).name;
    const d = await updating(
      deps.store.updateDraft(
        id,
        actor,
        'draft.approve',
        (before) => {
          requireState(before, ['in-review']);
          checkIfMatch(c, before, false);
          // Persons, not spellings: `Alice`, ` alice` and `ａｌｉｃｅ` are one person.
          if ([before.author, ...before.editors].some((n) => samePerson(n, actor))) {
            throw ApiError.of(403, 'draft.four-eyes', [
              { path: 'token.name', message: { zh: `${actor} 是此草稿的作者或编辑者`, en: `${actor} wrote or edited this draft` } },
            ]);
          }
        },
        () => ({ status: 'approved', review: { action: 'approve', comment: body.comment } }),
      ),
      id,
    );
    return c.json<DraftDetail>(await view(deps, d));
  });

  route(app, 'POST /api/v1/drafts/:id/reject', async (c) => {
    const deps = depsOf(c);
    const id = draftId(c);
    const body = await jsonBody(c, C.RejectRequest);
    const d = await updating(
      deps.store.updateDraft(
        id,
        actorOf(c).name,
        'draft.reject',
        (before) => {
          requireState(before, ['in-review', 'approved']);
          checkIfMatch(c, before, false);
        },
        () => ({ status: 'rejected', review: { action: 'reject', comment: body.comment } }),
      ),
      id,
    );
    return c.json<DraftDetail>(await view(deps, d));
  });

  route(app, 'POST /api/v1/drafts/:id/publish', async (c) => {
    const deps = depsOf(c);
    const id = draftId(c);
    const actor = actorOf(c).name;
    const current = await deps.store.draft(id);
    if (!current) throw notFound(id);
    requireState(current, ['approved']);
    const r = compile(deps, current);
    if (!r.value || hasErrors(r.diagnostics)) throw ApiError.of(422, 'draft.has-errors', diagnosticDetails(r.diagnostics));
    const ir = r.value;
    // Version periods (engine/analysis): the same start as another version, or an explicit end
    // reaching past the next version's start, would leave which version decides to chance.
    const periods = checkPublish(deps.policies.records().map((v) => v.ir), ir);
    if (periods.length) {
      throw ApiError.of(
        409,
        periods.some((f) => f.code === 'analysis.same-start') ? 'policy.effective-from-taken' : 'policy.periods-overlap',
        periods.map((f) => ({ path: '/effectiveFrom', message: f.message, code: f.code })),
      );
    }
    const hash = deps.engine.policyHash(ir);
    let published: Awaited<ReturnType<typeof deps.store.insertVersion>> | undefined;
    // The version row and the draft's new state commit together, or neither does.
    const d = await updating(
      deps.store.updateDraft(
        id,
        actor,
        'draft.publish',
        (before) => {
          requireState(before, ['approved']);
          if (before.revision !== current.revision) throw ApiError.of(412, 'http.precondition-failed');
        },
        () => ({ status: 'published', publishedHash: hash }),
        async (tx) => {
          published = await deps.store.insertVersion(
            {
              hash,
              policyId: ir.id,
              version: ir.version,
              jurisdiction: ir.jurisdiction,
              title: ir.title,
              effectiveFrom: ir.effectiveFrom,
              effectiveUntil: ir.effectiveUntil,
              format: current.format,
              source: current.source,
              ir,
              publishedBy: actor,
              draftId: id,
            },
            { tx, actor },
          );
          if (!published.created) throw new StoreConflict('exists', `${ir.id}@${ir.version} is already published with the same content`);
        },
      ),
      id,
    );
    await deps.policies.published(published!.record);
    const v = published!.record;
    return c.json<PublishResponse>(
      { draft: await view(deps, d), version: { id: v.policyId, version: v.version, hash: v.hash, publishedAt: v.publishedAt, publishedBy: v.publishedBy, author: v.author, approvedBy: v.approvedBy ?? null } },
      201,
    );
  });
}
