/** Read-only views of the published library. */
import { actorOf, depsOf, route, type App, type Ctx } from '../context.ts';
import { mayTouch } from '../auth/scope.ts';
import { decisionSchema } from '../contract/decisionSchema.ts';
import { ApiError } from '../errors.ts';
import type { VersionRecord } from '../store/store.ts';
import { dateQuery, intQuery } from '../validate.ts';
import { exampleFacts, sampleFacts } from '../../engine/facts/sample.ts';
import { CONTENT_TYPES, fileName, toCsv, toJsonl, toXlsx, type SampleFormat } from '../template.ts';
import { resolvePublished } from '../refs.ts';
import { textIn } from '../text-view.ts';
import type { JsonSchema, PolicyDetail, PolicyListResponse, PolicySummary, VersionDetail, VersionSummary } from '../wire.ts';

function summary(v: VersionRecord): VersionSummary {
  return {
    version: v.version,
    hash: v.hash,
    title: v.title,
    effectiveFrom: v.effectiveFrom,
    ...(v.effectiveUntil ? { effectiveUntil: v.effectiveUntil } : {}),
    ...(v.ir.extends ? { extends: v.ir.extends } : {}),
    format: v.format,
    publishedAt: v.publishedAt,
    publishedBy: v.publishedBy,
    // From the draft and its reviews; the seed library: author `system`, no approver.
    author: v.author,
    approvedBy: v.approvedBy ?? null,
  };
}

/**
 * The engine port types a fact schema as a bare `object`; engine/facts/schema.ts builds it as
 * JSON Schema, which is what the wire type describes.
 */
export function factSchemaOf(schema: object): JsonSchema {
  return schema as JsonSchema;
}

const inForce = (v: VersionRecord, date: string) => v.effectiveFrom <= date && (!v.effectiveUntil || date <= v.effectiveUntil);

function policyView(id: string, versions: VersionRecord[], date?: string): PolicySummary {
  const sorted = [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version.localeCompare(b.version));
  const latest = sorted.at(-1)!;
  const current = date ? sorted.filter((v) => inForce(v, date)).at(-1) : undefined;
  return {
    id,
    jurisdiction: latest.jurisdiction,
    topic: id.slice(id.indexOf('/') + 1),
    title: latest.title,
    ...(latest.ir.titleEn ? { titleEn: latest.ir.titleEn } : {}),
    versions: sorted.map(summary),
    ...(current ? { inForce: current.version } : {}),
  };
}

/** Read-through: a policy published on another instance a moment ago is found too. */
function ensureNamed(c: Ctx): Promise<void> {
  return depsOf(c).policies.ensure(`${c.req.param('jurisdiction')}/${c.req.param('topic')}`, c.req.param('version'));
}

function versionsOf(c: Ctx): { id: string; versions: VersionRecord[] } {
  const id = `${c.req.param('jurisdiction')}/${c.req.param('topic')}`;
  const versions = depsOf(c).policies.records().filter((v) => v.policyId === id);
  if (versions.length === 0) throw ApiError.of(404, 'policy.not-found', [{ path: 'path.policy', message: { zh: `没有政策 ${id}`, en: `no policy ${id}` } }]);
  return { id, versions };
}

function versionOf(c: Ctx): VersionRecord {
  const { id, versions } = versionsOf(c);
  const label = c.req.param('version');
  const v = versions.find((x) => x.version === label);
  if (!v) throw ApiError.of(404, 'policy.version-not-found', [{ path: 'path.version', message: { zh: `政策 ${id} 没有版本 ${label}`, en: `policy ${id} has no version ${label}` } }]);
  return v;
}

export function policyRoutes(app: App): void {
  route(app, 'GET /api/v1/policies', (c) => {
    const { jurisdiction, topic } = c.req.query();
    const date = dateQuery(c, 'inForceOn');
    const groups = new Map<string, VersionRecord[]>();
    for (const v of depsOf(c).policies.records()) {
      if (jurisdiction && v.jurisdiction !== jurisdiction) continue;
      if (!mayTouch(actorOf(c), v.policyId)) continue;
      if (topic && v.policyId.slice(v.policyId.indexOf('/') + 1) !== topic) continue;
      groups.set(v.policyId, [...(groups.get(v.policyId) ?? []), v]);
    }
    const items = [...groups]
      .filter(([, vs]) => !date || vs.some((v) => inForce(v, date)))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, vs]) => policyView(id, vs, date));
    return c.json<PolicyListResponse>({ items });
  });

  route(app, 'GET /api/v1/policies/:jurisdiction/:topic', async (c) => {
    await ensureNamed(c);
    const { id, versions } = versionsOf(c);
    const drafts = await depsOf(c).store.listDrafts({ policyId: id });
    return c.json<PolicyDetail>({
      ...policyView(id, versions, dateQuery(c, 'inForceOn')),
      drafts: drafts
        .filter((d) => d.status !== 'published')
        .map((d) => ({ id: d.id, status: d.status, author: d.author, updatedAt: d.updatedAt, updatedBy: d.updatedBy })),
    });
  });

  route(app, 'GET /api/v1/policies/:jurisdiction/:topic/versions/:version', async (c) => {
    await ensureNamed(c);
    const v = versionOf(c);
    const { engine } = depsOf(c);
    const print = (format: 'dsl' | 'yaml') => {
      try {
        // A table stays a table in the other notation (the IR holds only its rules).
        return textIn({ format: v.format, source: v.source, ir: v.ir }, format, engine.printPolicy);
      } catch {
        return undefined; // the printer is not able to print this IR; the source as written stays available
      }
    };
    let schema: JsonSchema | undefined;
    try {
      schema = factSchemaOf(engine.factSchema(resolvePublished(depsOf(c), v.policyId, v.version, v.effectiveFrom, 'path.version').ir));
    } catch {
      schema = undefined;
    }
    return c.json<VersionDetail>({
      id: v.policyId,
      ...summary(v),
      source: { format: v.format, text: v.source },
      dsl: print('dsl'),
      yaml: print('yaml'),
      ir: v.ir,
      factSchema: schema,
    });
  });

  route(app, 'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/schema', async (c) => {
    await ensureNamed(c);
    const v = versionOf(c);
    const resolved = resolvePublished(depsOf(c), v.policyId, v.version, v.effectiveFrom, 'path.version');
    // of=decision: the other end, what this version answers (facts stay the default and unchanged).
    const of = c.req.query('of') ?? 'facts';
    if (of !== 'facts' && of !== 'decision') {
      throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.of', message: { zh: `应为 facts 或 decision,收到 ${of}`, en: `must be facts or decision, got ${of}` } }]);
    }
    if (of === 'decision') return c.json<JsonSchema>(decisionSchema(resolved.ir));
    return c.json<JsonSchema>(factSchemaOf(depsOf(c).engine.factSchema(resolved.ir)));
  });

  // Getting started: a dataset template and a generated sample (server/template.ts).
  route(app, 'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/template', async (c) => {
    await ensureNamed(c);
    const v = versionOf(c);
    const ir = resolvePublished(depsOf(c), v.policyId, v.version, v.effectiveFrom, 'path.version').ir;
    const format = formatQuery(c, ['xlsx', 'csv'], 'xlsx');
    // The example row is the whole of the data: one complete record, valid for this version.
    const rows = [exampleFacts(ir)];
    return file(c, fileName(ir, 'template', format), format, format === 'xlsx' ? await toXlsx(ir, rows, 500) : toCsv(ir, rows, true));
  });

  route(app, 'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/sample', async (c) => {
    await ensureNamed(c);
    const v = versionOf(c);
    const ir = resolvePublished(depsOf(c), v.policyId, v.version, v.effectiveFrom, 'path.version').ir;
    const format = formatQuery(c, ['jsonl', 'csv', 'xlsx'], 'jsonl');
    // Writing XLSX is the slow part (measured ~1 s per 1,000 loan-book records under load); the
    // request holds the event loop, so XLSX samples stay smaller.
    const count = intQuery(c, 'count', 200, 1, format === 'xlsx' ? 2_000 : 10_000);
    const seed = intQuery(c, 'seed', 1, 0, 2_147_483_647);
    const rows = sampleFacts(ir, { count, seed });
    const body = format === 'jsonl' ? toJsonl(rows) : format === 'csv' ? toCsv(ir, rows, false) : await toXlsx(ir, rows, 0);
    return file(c, fileName(ir, `sample-${seed}-${count}`, format), format, body);
  });
}

function formatQuery<F extends SampleFormat>(c: Ctx, allowed: readonly F[], dflt: F): F {
  const f = c.req.query('format') ?? dflt;
  if (!(allowed as readonly string[]).includes(f)) {
    throw ApiError.of(400, 'http.invalid-query', [{ path: 'query.format', message: { zh: `应为 ${allowed.join('、')} 之一,收到 ${f}`, en: `must be one of ${allowed.join(', ')}, got ${f}` } }]);
  }
  return f as F;
}

function file(c: Ctx, name: string, format: SampleFormat, body: string | Buffer): Response {
  c.header('content-type', CONTENT_TYPES[format]);
  c.header('content-disposition', `attachment; filename="${name}"`);
  return c.body(typeof body === 'string' ? body : new Uint8Array(body));
}
