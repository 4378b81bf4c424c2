/**
 * The decision log as a list: `GET /api/v1/decisions` with filters (policy, version, time range,
 * caller, subject — in SQL; outcome kind and rule fired — on the decisions read), newest first,
 * with a cursor; `format=ndjson|csv` streams every match for export. `POST
 * /api/v1/decisions/replay` re-decides a filtered set under another version as a simulation job
 * (progress, summary of what changes, changed records — the simulate pages show it); refused when a
 * matching record fails its commit batch's hash (edited after it was logged).
 */
import { randomUUID } from 'node:crypto';
import { stream } from 'hono/streaming';
import { actorOf, depsOf, route, todayInShanghai, type App, type Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import { parseRef, resolveRef } from '../refs.ts';
import type { DecisionQuery, DecisionRecord as StoredDecision, Integrity } from '../store/store.ts';
import * as C from '../contract/wire.ts';
import { jsonBody, intQuery } from '../validate.ts';
import { maySeeDecision, requirePolicyScope } from '../auth/scope.ts';
import type { BulkReplayRequest, Decision, DecisionList, DecisionRecord, Facts, Job, JobParams } from '../wire.ts';
import { subjectKeysOf } from '../../engine/privacy/mask.ts';
import { forReader, replayableFacts } from '../privacy.ts';

/** Rows read per scan step, and at most per page (a page with rare outcomes returns a cursor instead of scanning the whole log). */
const SCAN_STEP = 500;
const SCAN_CAP = 5000;

interface ListFilter {
  query: Omit<DecisionQuery, 'limit' | 'before'>;
  outcome?: string;
  rule?: string;
}

function isoTime(c: Ctx, name: string, endOfDay: boolean): string | undefined {
  const raw = c.req.query(name);
  if (!raw) return undefined;
  // A date is the whole day in Shanghai; a full ISO time is taken as it is.
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const ms = Date.parse(`${raw}T00:00:00+08:00`);
    if (!Number.isNaN(ms)) return new Date(ms + (endOfDay ? 86_400_000 - 1 : 0)).toISOString();
  } else if (!Number.isNaN(Date.parse(raw))) return new Date(raw).toISOString();
  throw ApiError.of(400, 'http.invalid-query', [
    { path: `query.${name}`, message: { zh: '应为日期 YYYY-MM-DD 或 ISO 时间', en: 'must be a date YYYY-MM-DD or an ISO time' } },
  ]);
}

/** `subject` finds the caller's own id of the case, or a subject fact by its exact value (hashed with the store's key). */
function subjectFilter(c: Ctx, subject: string | undefined): { subject?: string; subjectKeys?: string[] } {
  return subject ? { subject, subjectKeys: subjectKeysOf(depsOf(c).decisions.subjectHmacKey, subject) } : {};
}

function filterOf(c: Ctx): ListFilter {
  const q = (k: string) => c.req.query(k) || undefined;
  return {
    query: { policy: q('policy'), version: q('version'), caller: q('caller'), ...subjectFilter(c, q('subject')), from: isoTime(c, 'from', false), to: isoTime(c, 'to', true) },
    outcome: q('outcome'),
    rule: q('rule'),
  };
}

/** Outcome kind: a kind fired (violation, …), or `undetermined`, `none`, `invalid-facts` as simulations count them. */
function passes(rec: StoredDecision, f: ListFilter): boolean {
  const d = rec.decision as Decision;
  if (f.rule && !d.outcomes.some((o) => o.ruleId === f.rule)) return false;
  if (f.outcome) {
    const kinds = new Set(d.outcomes.map((o) => o.kind as string));
    const cls =
      d.status === 'invalid-facts' ? ['invalid-facts'] : kinds.size ? [...kinds] : d.undetermined.length ? ['undetermined'] : ['none'];
    if (!cls.includes(f.outcome)) return false;
  }
  return true;
}

/** A stored decision as the asking role may see it (kept personal facts masked unless allowed: ../privacy.ts). */
const view = (c: Ctx, r: StoredDecision): DecisionRecord => {
  const seen = forReader(r, actorOf(c), depsOf(c).decisions.maskSalt);
  return { ...seen, facts: seen.facts as Facts, decision: seen.decision as Decision };
};

/** Every matching decision, newest first, read a step at a time; `scanCap` stops after that many rows read. */
async function* matching(c: Ctx, f: ListFilter, before: string | undefined, scanCap = Infinity): AsyncGenerator<StoredDecision | { cursor: string }> {
  const store = depsOf(c).store;
  let cursor = before;
  let scanned = 0;
  for (;;) {
    const rows = await store.queryDecisions({ ...f.query, before: cursor, limit: SCAN_STEP });
    for (const r of rows) {
      scanned++;
      cursor = r.id;
      // Out of the caller's jurisdictions (or, for a system, not its own): as if not logged.
      if (passes(r, f) && maySeeDecision(actorOf(c), r)) yield r;
      if (scanned >= scanCap) {
        yield { cursor };
        return;
      }
    }
    if (rows.length < SCAN_STEP) return;
  }
}

function csvCell(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function decisionRoutes(app: App): void {
  route(app, 'GET /api/v1/decisions', async (c) => {
    const f = filterOf(c);
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'ndjson' && format !== 'csv') {
      throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.format', message: { zh: '应为 json、ndjson 或 csv', en: 'must be json, ndjson or csv' } }]);
    }
    const cursor = c.req.query('cursor') || undefined;
    if (format !== 'json') {
      c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      c.header('content-disposition', `attachment; filename="decisions.${format}"`);
      return stream(c, async (out) => {
        if (format === 'csv') await out.write('\uFEFFid,at,caller,subject,policy,version,as_of,status,outcomes,fired_rules,undetermined_rules,draft,reported_by,facts\n');
        for await (const r of matching(c, f, cursor)) {
          if ('cursor' in r) break;
          if (format === 'ndjson') await out.write(JSON.stringify(view(c, r)) + '\n');
          else {
            const d = r.decision as Decision;
            const facts = view(c, r).facts;
            const cells = [r.id, r.at, r.caller, r.subject ?? '', r.policyId, r.version, r.asOf, d.status, [...new Set(d.outcomes.map((o) => o.kind))].join(' '), d.outcomes.map((o) => o.ruleId).join(' '), d.undetermined.map((u) => u.ruleId).join(' '), r.draft ? `draft:${r.draft.id}` : '', r.reportedBy ?? '', facts];
            await out.write(cells.map(csvCell).join(',') + '\n');
          }
        }
      });
    }
    const limit = intQuery(c, 'limit', 50, 1, 500);
    const items: DecisionRecord[] = [];
    let nextCursor: string | undefined;
    for await (const r of matching(c, f, cursor, SCAN_CAP)) {
      if ('cursor' in r) {
        nextCursor = r.cursor;
        break;
      }
      items.push(view(c, r));
      if (items.length === limit) {
        nextCursor = r.id;
        break;
      }
    }
    return c.json<DecisionList>({ items, ...(nextCursor ? { nextCursor } : {}) });
  });

  route(app, 'POST /api/v1/decisions/replay', async (c) => {
    const deps = depsOf(c);
    const body = await jsonBody(c, C.BulkReplayRequest);
    requirePolicyScope(actorOf(c), body.filter.policy, '/filter/policy');
    const asOf = body.asOf ?? todayInShanghai(deps.clock);
    const baselineRef = `${body.filter.policy}@${body.filter.version}`;
    const baseline = await resolveRef(deps, parseRef(baselineRef, '/filter'), asOf, '/filter');
    const candidate = await resolveRef(deps, parseRef(body.candidate, '/candidate'), asOf, '/candidate');
    // The logged facts as a JSONL dataset. Masked values replay as missing when neither side reads
    // them (../privacy.ts); a record with a masked fact that a side reads cannot be judged again
    // and is left out.
    const lines: string[] = [];
    let skippedMasked = 0;
    // Facts edited after logging would be replayed as if decided on: such a log is refused whole.
    const batches = new Map<string, Integrity>();
    const tampered: string[] = [];
    for await (const r of matching(c, { query: { ...body.filter, ...subjectFilter(c, body.filter.subject) } }, undefined)) {
      if ('cursor' in r) break;
      if ((await deps.store.decisionIntegrity(r.id, batches)) !== 'intact') tampered.push(r.id);
      else {
        const a = replayableFacts(r.facts, r.masked, baseline.ir);
        const b = replayableFacts(r.facts, r.masked, candidate.ir);
        if (a.read || b.read) skippedMasked++;
        else lines.push(JSON.stringify({ facts: a.facts }));
      }
    }
    if (tampered.length > 0) {
      throw ApiError.of(
        422,
        'decision.tampered',
        tampered.slice(0, 20).map((id) => ({ path: '/filter', message: { zh: `决定 ${id} 与其提交批次的哈希不符`, en: `decision ${id} does not match the hash of its commit batch` } })),
      );
    }
    if (lines.length === 0) {
      throw ApiError.of(422, 'upload.empty', [
        { path: '/filter', message: { zh: `没有可重放的决定(已脱敏 ${skippedMasked} 条)`, en: `no decisions to replay (${skippedMasked} masked ones left out)` } },
      ]);
    }
    const bytes = Buffer.from(lines.join('\n'));
    const facts = [...candidate.ir.facts, ...baseline.ir.facts.filter((f) => !candidate.ir.facts.some((g) => g.name === f.name))];
    const dataset = await deps.jobs.prepareDataset(new Uint8Array(bytes), 'jsonl', facts);
    const id = `job_${randomUUID()}`;
    const job = await deps.store.createJob({
      id,
      kind: 'replay',
      createdBy: actorOf(c).name,
      params: { baseline: baselineRef, candidate: body.candidate, asOf, file: { name: `decisions-${body.filter.policy.replace('/', '-')}.jsonl`, format: 'jsonl', size: bytes.length } } satisfies JobParams,
      total: dataset.total,
      input: { format: 'jsonl', bytes, baseline, candidate, asOf },
    });
    deps.jobs.keepPrepared(id, dataset);
    deps.jobs.kick();
    c.header('Location', `/api/v1/jobs/${id}`);
    const base = `/api/v1/jobs/${id}`;
    return c.json<Job>({ ...job, params: job.params as JobParams, result: undefined, error: undefined, links: { self: base, events: `${base}/events`, changes: `${base}/changes`, download: `${base}/download` } }, 202);
  });
}
