/**
 * `GET /api/v1/jobs/:id/report[.xlsx]?by=` (a finished simulation's impact report, as JSON or a
 * workbook) and `GET|POST /api/v1/drafts/:id/simulations` (simulations attached to a draft under
 * review, each shown to the approver with its report).
 */
import { actorOf, depsOf, param, route, type App, type AppDeps, type Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import { resolveDraft } from '../refs.ts';
import { jobNotFound, maySeeJob } from '../auth/scope.ts';
import type { DraftRecord, DraftSimulation, JobRecord } from '../store/store.ts';
import { jsonBody } from '../validate.ts';
import { AttachSimulationV1 } from './contract.ts';
import type { DraftSimulationView } from '../wire.ts';
import { buildReport, type ImpactReport } from './report.ts';
import type { ReportBasis } from './tally.ts';
import { reportXlsx } from './xlsx.ts';

async function jobNamed(deps: AppDeps, id: string, path: string): Promise<JobRecord> {
  const job = await deps.store.job(id);
  if (!job) throw ApiError.of(404, 'job.not-found', [{ path, message: { zh: `任务 ${id}`, en: `job ${id}` } }]);
  return job;
}

/** The stored basis of a job that finished with one; 409 otherwise. */
async function basisOf(deps: AppDeps, job: JobRecord): Promise<ReportBasis> {
  if (job.status === 'queued' || job.status === 'running') {
    throw ApiError.of(409, 'job.not-finished', [{ path: 'job.status', message: { zh: `任务状态为 ${job.status}`, en: `the job is ${job.status}` } }]);
  }
  const basis = job.status === 'done' ? ((await deps.store.jobReportBasis(job.id)) as ReportBasis | undefined) : undefined;
  if (!basis) {
    throw ApiError.of(409, 'report.unavailable', [
      { path: 'job.status', message: { zh: `任务状态为 ${job.status},没有影响报告`, en: `the job is ${job.status} and has no impact report` } },
    ]);
  }
  return basis;
}

function byQuery(c: Ctx): string | undefined {
  const by = c.req.query('by');
  return by === undefined || by === '' ? undefined : by;
}

async function reportFor(deps: AppDeps, job: JobRecord, by: string | undefined): Promise<ImpactReport> {
  const basis = await basisOf(deps, job);
  return buildReport(job, basis, deps.store.iterateJobChanges(job.id), by);
}

function draftIdOf(c: Ctx): number {
  const raw = param(c, 'id');
  const id = Number(raw);
  if (!Number.isInteger(id) || id <= 0) throw ApiError.of(404, 'draft.not-found', [{ path: 'path.id', message: { zh: `草稿 ${raw}`, en: `draft ${raw}` } }]);
  return id;
}

async function draftOf(deps: AppDeps, id: number): Promise<DraftRecord> {
  const d = await deps.store.draft(id);
  if (!d) throw ApiError.of(404, 'draft.not-found', [{ path: 'path.id', message: { zh: `草稿 ${id}`, en: `draft ${id}` } }]);
  return d;
}

/**
 * Whether the draft changed since the job ran: the hash of the draft as it reads now, resolved on
 * the job's date, against the candidate the job decided with. A draft that no longer compiles
 * has changed.
 */
async function stale(deps: AppDeps, draftId: number, job: JobRecord): Promise<boolean> {
  const result = job.result as { candidate?: { hash?: string } } | undefined;
  const asOf = (job.params as { asOf: string }).asOf;
  try {
    const { resolved } = await resolveDraft(deps, draftId, asOf, 'draft');
    return resolved.stamp.hash !== result?.candidate?.hash;
  } catch {
    return true;
  }
}

function attachmentView(a: DraftSimulation, isStale: boolean): DraftSimulationView {
  const q = a.by ? `?by=${encodeURIComponent(a.by)}` : '';
  return { ...a, stale: isStale, links: { report: `/api/v1/jobs/${a.jobId}/report${q}`, xlsx: `/api/v1/jobs/${a.jobId}/report.xlsx${q}` } };
}

export function reportRoutes(app: App): void {
  route(app, 'GET /api/v1/jobs/:id/report', async (c) => {
    const deps = depsOf(c);
    const job = await jobNamed(deps, param(c, 'id'), 'path.id');
    return c.json<ImpactReport>(await reportFor(deps, job, byQuery(c)));
  });

  route(app, 'GET /api/v1/jobs/:id/report.xlsx', async (c) => {
    const deps = depsOf(c);
    const job = await jobNamed(deps, param(c, 'id'), 'path.id');
    const report = await reportFor(deps, job, byQuery(c));
    const bytes = await reportXlsx(report, deps.store.iterateJobChanges(job.id));
    c.header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    c.header('content-disposition', `attachment; filename="${job.id}-report.xlsx"`);
    return c.body(new Uint8Array(bytes));
  });

  route(app, 'GET /api/v1/drafts/:id/simulations', async (c) => {
    const deps = depsOf(c);
    const draft = await draftOf(deps, draftIdOf(c));
    const items = [];
    for (const a of await deps.store.draftSimulations(draft.id)) {
      const job = await jobNamed(deps, a.jobId, 'job');
      // A simulation whose baseline lies outside the reader's scope is left out, as its job would be.
      if (!maySeeJob(actorOf(c), job)) continue;
      items.push({ attachment: attachmentView(a, await stale(deps, draft.id, job)), report: await reportFor(deps, job, a.by) });
    }
    return c.json({ items });
  });

  route(app, 'POST /api/v1/drafts/:id/simulations', async (c) => {
    const deps = depsOf(c);
    const draft = await draftOf(deps, draftIdOf(c));
    const body = await jsonBody(c, AttachSimulationV1);
    if (draft.status !== 'editing' && draft.status !== 'in-review') {
      throw ApiError.of(409, 'draft.invalid-state', [
        { path: 'draft.status', message: { zh: `草稿状态为 ${draft.status},需为 editing / in-review`, en: `the draft is ${draft.status}; needs editing / in-review` } },
      ]);
    }
    const job = await jobNamed(deps, body.job, 'body.job');
    if (!maySeeJob(actorOf(c), job)) throw jobNotFound(body.job, 'body.job');
    const candidate = (job.params as { candidate?: string }).candidate;
    if (candidate !== `draft:${draft.id}`) {
      throw ApiError.of(422, 'report.not-this-draft', [
        { path: 'body.job', message: { zh: `该模拟的候选为 ${candidate ?? '(无)'},不是草稿 ${draft.id}`, en: `the simulation's candidate is ${candidate ?? '(none)'}, not draft ${draft.id}` } },
      ]);
    }
    // Refuses unfinished jobs and unknown columns before anything is stored.
    await reportFor(deps, job, body.by);
    if (await stale(deps, draft.id, job)) {
      throw ApiError.of(409, 'report.stale', [
        { path: 'body.job', message: { zh: '草稿在模拟之后已修改,请重新模拟', en: 'the draft changed after this simulation ran; simulate it again' } },
      ]);
    }
    const a = await deps.store.attachSimulation({ draftId: draft.id, jobId: job.id, ...(body.by ? { by: body.by } : {}), attachedBy: actorOf(c).name, revision: draft.revision });
    if (!a) {
      throw ApiError.of(409, 'report.already-attached', [{ path: 'body.job', message: { zh: `模拟 ${job.id} 已附在此草稿上`, en: `simulation ${job.id} is attached to this draft already` } }]);
    }
    return c.json<DraftSimulationView>(attachmentView(a, false), 201);
  });
}
