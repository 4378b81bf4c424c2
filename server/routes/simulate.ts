/** Simulation jobs: upload → 202 with a job id; status, SSE progress, cancel, changed records, download. */
import { randomUUID } from 'node:crypto';
import { streamSSE, stream } from 'hono/streaming';
import { actorOf, depsOf, param, route, todayInShanghai, type Actor, type App, type AppDeps, type Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import { msg } from '../messages.ts';
import type { ProgressEvent } from '../jobs.ts';
import { parseRef, resolveRef, type Ref } from '../refs.ts';
import { jurisdictionOf } from '../auth/grants.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import type { ChangeFilter, JobChange, JobRecord } from '../store/store.ts';
import { detectFormat, readDataset, type ColumnMapping, type UploadFormat } from '../upload.ts';
import { intQuery, isIsoDate } from '../validate.ts';
import type { CancelResponse, ChangesPage, Job, JobChange as WireJobChange, JobError, JobParams, SimulationResult } from '../wire.ts';

/** How often an SSE stream of a job running on another instance reads its progress. */
const JOB_POLL_MS = 500;

async function jobOf(c: Ctx): Promise<JobRecord> {
  const id = param(c, 'id');
  const job = await depsOf(c).store.job(id);
  if (!job) throw ApiError.of(404, 'job.not-found', [{ path: 'path.id', message: { zh: `任务 ${id}`, en: `job ${id}` } }]);
  return job;
}

function finished(job: JobRecord): void {
  if (job.status !== 'done' && job.status !== 'cancelled') {
    throw ApiError.of(409, 'job.not-finished', [{ path: 'job.status', message: { zh: `任务状态为 ${job.status}`, en: `the job is ${job.status}` } }]);
  }
}

/**
 * A job as the API sends it. The store reads `params`, `result` and `error` back from JSON as
 * `unknown`; they were written by this file (params) and jobs.ts (result, error) in these shapes.
 */
function view(job: JobRecord): Job {
  const base = `/api/v1/jobs/${job.id}`;
  return {
    ...job,
    params: job.params as JobParams,
    result: job.result as SimulationResult | undefined,
    error: jobErrorView(job.error),
    links: { self: base, events: `${base}/events`, changes: `${base}/changes`, download: `${base}/download` },
  };
}

/**
 * A failed job's error as stored by jobs.ts (`jobFailure`) or the store (`job.interrupted`); rows
 * written before failures had the API's error shape (a plain English reason, or none) are
 * given it here.
 */
function jobErrorView(raw: unknown): JobError | undefined {
  if (raw === undefined || raw === null) return undefined;
  const e = raw as { code?: string; message?: unknown };
  if (typeof e.message === 'object' && e.message !== null) return raw as JobError;
  const code = e.code === 'job.interrupted' ? 'job.interrupted' : 'job.failed';
  const reason = typeof e.message === 'string' ? e.message : undefined;
  return { code, message: msg(code), ...(reason ? { details: [{ path: 'job', message: { zh: reason, en: reason } }] } : {}) };
}

/** A changed record as sent; the store gives its JSON columns back as `unknown` (jobs.ts wrote them). */
function changeView(ch: JobChange): WireJobChange {
  // Kept columns belong to the impact report (server/report/), not to the changes' wire shape.
  const { columns, ...rest } = ch;
  void columns;
  return rest as WireJobChange;
}

export function simulateRoutes(app: App): void {
  route(app, 'POST /api/v1/simulate', async (c) => {
    const deps = depsOf(c);
    const type = c.req.header('content-type') ?? '';
    if (!/^multipart\/form-data\b/i.test(type)) {
      throw ApiError.of(415, 'http.unsupported-media-type', [
        { path: 'header.content-type', message: { zh: `应为 multipart/form-data,收到 ${type || '(无)'}`, en: `expected multipart/form-data, got ${type || '(none)'}` } },
      ]);
    }
    let form: Record<string, string | File | (string | File)[]>;
    try {
      form = await c.req.parseBody({ all: false });
    } catch (e) {
      throw ApiError.of(400, 'upload.broken', [{ path: 'body', message: { zh: '表单无法解析', en: (e as Error).message } }]);
    }
    const file = form.file;
    if (!(file instanceof File)) throw ApiError.of(400, 'upload.missing-file', [{ path: 'form.file', message: { zh: '缺少文件', en: 'missing file' } }]);
    const text = (k: string) => (typeof form[k] === 'string' ? (form[k] as string) : undefined);
    const asOf = text('asOf') || todayInShanghai(deps.clock);
    if (!isIsoDate(asOf)) throw ApiError.of(400, 'http.invalid-body', [{ path: 'form.asOf', message: { zh: '应为日期 YYYY-MM-DD', en: 'must be a date YYYY-MM-DD' } }]);
    const actor = actorOf(c);
    const baseline = await resolveInScope(deps, actor, parseRef(text('baseline'), 'form.baseline'), asOf, 'form.baseline');
    const candidate = await resolveInScope(deps, actor, parseRef(text('candidate'), 'form.candidate'), asOf, 'form.candidate');
    const uploaded = new Uint8Array(await file.arrayBuffer());
    const uploadedFormat = detectFormat(file.name, file.type, uploaded.subarray(0, 4));
    if (!uploadedFormat) throw ApiError.of(415, 'upload.unsupported-format', [{ path: 'form.file', message: { zh: file.name, en: file.name } }]);
    // Columns map to the facts of both sides (a candidate may add facts).
    const facts = [...candidate.ir.facts, ...baseline.ir.facts.filter((f) => !candidate.ir.facts.some((g) => g.name === f.name))];
    const mapping = mappingOf(text('mapping'));
    let bytes = uploaded;
    let format: UploadFormat = uploadedFormat;
    if (Object.keys(mapping).length > 0 && format !== 'jsonl') {
      // The job input (stored so any instance can run the job again) is the mapped records as
      // JSONL, each on its original line number (blank lines between), so that the mapping needs
      // no column of its own in the store and changed records keep the lines of the file.
      const records = await readDataset(uploaded, format, facts, mapping);
      const lines = new Array<string>(records[records.length - 1].line).fill('');
      // Kept columns ride along as `{facts, columns}` lines, a form the workers read as facts.
      for (const r of records) lines[r.line - 1] = JSON.stringify(r.columns ? { facts: r.facts, columns: r.columns } : r.facts);
      bytes = new TextEncoder().encode(lines.join('\n'));
      format = 'jsonl';
    }
    const dataset = await deps.jobs.prepareDataset(bytes, format, facts);
    const id = `job_${randomUUID()}`;
    const job = await deps.store.createJob({
      id,
      kind: 'simulate',
      createdBy: actorOf(c).name,
      params: {
        // parseRef above refused a missing or empty reference.
        baseline: text('baseline')!,
        candidate: text('candidate')!,
        asOf,
        file: { name: file.name, format: uploadedFormat, size: uploaded.length },
        // JSONL lines are facts objects by name: a mapping does not apply to them.
        ...(Object.keys(mapping).length > 0 && uploadedFormat !== 'jsonl' ? { mapping } : {}),
        // Who may see the job later: those whose scope covers both sides (server/auth/scope.ts).
        jurisdictions: [...new Set([jurisdictionOf(baseline.ir.id), jurisdictionOf(candidate.ir.id)])].sort(),
      } satisfies JobParams,
      total: dataset.total,
      // Stored with the job so that any instance can run it, and run it again if this one dies.
      input: { format, bytes: Buffer.from(bytes), baseline, candidate, asOf },
    });
    deps.jobs.keepPrepared(id, dataset);
    deps.jobs.kick();
    deps.metrics.jobsStarted++;
    c.header('Location', `/api/v1/jobs/${id}`);
    return c.json<Job>(view(job), 202);
  });

  route(app, 'GET /api/v1/jobs/:id', async (c) => c.json<Job>(view(await jobOf(c))));

  route(app, 'DELETE /api/v1/jobs/:id', async (c) => {
    const deps = depsOf(c);
    const job = await jobOf(c);
    // Whichever instance runs it: the flag is read with the runner's heartbeat.
    if (!(await deps.store.requestCancel(job.id, actorOf(c).name))) {
      throw ApiError.of(409, 'job.finished', [{ path: 'job.status', message: { zh: `任务状态为 ${job.status}`, en: `the job is ${job.status}` } }]);
    }
    // This instance may be running it, or about to (its claim may be in flight).
    deps.jobs.cancel(job.id);
    return c.json<CancelResponse>({ id: job.id, cancelling: true });
  });

  route(app, 'GET /api/v1/jobs/:id/events', async (c) => {
    const deps = depsOf(c);
    const job = await jobOf(c);
    return streamSSE(c, async (sse) => {
      const em = deps.jobs.emitter(job.id);
      const send = (e: ProgressEvent) => sse.writeSSE({ event: e.type, data: JSON.stringify(e) });
      const current = (await deps.store.job(job.id))!;
      const ended = (j: JobRecord) => j.status !== 'queued' && j.status !== 'running';
      if (ended(current)) {
        await send({ type: 'end', done: current.done, total: current.total, rate: 0, status: current.status });
        return;
      }
      if (!em || !deps.jobs.isActive(job.id)) {
        // Queued, or running on another instance: follow it in the store.
        let aborted = false;
        sse.onAbort(() => {
          aborted = true;
        });
        let last = current;
        await send({ type: 'progress', done: last.done, total: last.total, rate: 0, status: last.status });
        while (!aborted) {
          await sse.sleep(JOB_POLL_MS);
          const now = await deps.store.job(job.id);
          if (!now) return;
          if (ended(now)) {
            await send({ type: 'end', done: now.done, total: now.total, rate: 0, status: now.status });
            return;
          }
          if (now.done !== last.done || now.status !== last.status) await send({ type: 'progress', done: now.done, total: now.total, rate: 0, status: now.status });
          last = now;
        }
        return;
      }
      await send({ type: 'progress', done: current.done, total: current.total, rate: 0, status: current.status });
      await new Promise<void>((resolve) => {
        const on = (e: ProgressEvent) => {
          const sent = send(e);
          if (e.type === 'end') {
            em.off('event', on);
            // The stream closes when this callback returns: the end must be written first.
            void sent.then(() => resolve(), () => resolve());
          }
        };
        em.on('event', on);
        sse.onAbort(() => {
          em.off('event', on);
          resolve();
        });
      });
    });
  });

  route(app, 'GET /api/v1/jobs/:id/changes', async (c) => {
    const job = await jobOf(c);
    finished(job);
    const page = intQuery(c, 'page', 1, 1, 1_000_000);
    const pageSize = intQuery(c, 'pageSize', 50, 1, 1000);
    const filter = changeFilter(c);
    const r = await depsOf(c).store.jobChanges(job.id, page, pageSize, filter);
    return c.json<ChangesPage>({ ...r, items: r.items.map(changeView), page, pageSize, ...(filter.rule ? { rule: filter.rule } : {}), ...(filter.kind ? { kind: filter.kind } : {}) });
  });

  route(app, 'GET /api/v1/jobs/:id/download', async (c) => {
    const deps = depsOf(c);
    const job = await jobOf(c);
    finished(job);
    const format = c.req.query('format') ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') {
      throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.format', message: { zh: '应为 jsonl 或 csv', en: 'must be jsonl or csv' } }]);
    }
    c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    c.header('content-disposition', `attachment; filename="${job.id}-changes.${format}"`);
    return stream(c, async (out) => {
      if (format === 'csv') await out.write('\uFEFFline,baseline_fired,candidate_fired,baseline_undetermined,candidate_undetermined,record\n');
      for await (const stored of deps.store.iterateJobChanges(job.id, changeFilter(c))) {
        const ch = changeView(stored);
        if (format === 'jsonl') await out.write(JSON.stringify(ch) + '\n');
        else {
          const b = ch.baseline;
          const k = ch.candidate;
          await out.write([ch.line, b.fired.join(' '), k.fired.join(' '), b.undetermined.join(' '), k.undetermined.join(' '), JSON.stringify(ch.record)].map(csvCell).join(',') + '\n');
        }
      }
    });
  });
}

/**
 * Resolves one side of a simulation after checking its policy is in the caller's scope (403
 * auth.out-of-scope): a published policy by its id before it is read, a draft by the policy it
 * names now, and either by the policy it resolved to.
 */
async function resolveInScope(deps: AppDeps, actor: Actor, ref: Ref, asOf: string, path: string) {
  if (ref.kind === 'version') requirePolicyScope(actor, ref.policy, path);
  else requirePolicyScope(actor, (await deps.store.draft(ref.id))?.policyId, path);
  const resolved = await resolveRef(deps, ref, asOf, path);
  requirePolicyScope(actor, resolved.ir.id, path);
  return resolved;
}

/** The `mapping` form field: a JSON object of header → fact name ("" ignores the column). */
function mappingOf(raw: string | undefined): ColumnMapping {
  if (raw === undefined || raw.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    v = undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw ApiError.of(400, 'http.invalid-body', [
      { path: 'form.mapping', message: { zh: '应为 JSON 对象:列名 → 事实名(空字符串表示忽略此列)', en: 'must be a JSON object: header → fact name ("" ignores the column)' } },
    ]);
  }
  return v as ColumnMapping;
}

/** `rule` and `kind` from the query: the same filters for the paged list and the download. */
function changeFilter(c: Ctx): ChangeFilter {
  return { rule: c.req.query('rule') || undefined, kind: c.req.query('kind') || undefined };
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
