/**
 * `GET /api/v1/bundles/key`, `GET /api/v1/bundles/:jurisdiction/:topic` (signed, ETag, 304 on
 * If-None-Match) and `POST /api/v1/decisions/reported` (decisions a client made with a bundle,
 * logged as reported by it after checking that the server resolves the same policy hash).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Decision } from '../../engine/evaluate/types.ts';
import { actorOf, depsOf, route, todayInShanghai, type App, type Ctx } from '../context.ts';
import { subjectOf, type LogEntry } from '../decisionLog.ts';
import { ApiError } from '../errors.ts';
import { resolvePublished } from '../refs.ts';
import { requirePolicyScope } from '../auth/scope.ts';
import { ajvDetails } from '../validate.ts';
import { buildBundle, signBundle, signingKey } from './bundle.ts';
import { bundleSchemas, type BundleKey, type ReportedDecisions } from './contract.ts';

type AddFormats = (a: Ajv2020, formats: string[]) => void;
// ajv-formats is CommonJS; under ESM its default export may arrive wrapped (as in ../validate.ts).
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

let reportedCheck: ValidateFunction | undefined;
function checkReported(value: unknown): ReportedDecisions {
  if (!reportedCheck) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv, ['date']);
    ajv.addSchema({ $id: 'tiaowen-bundles', components: { schemas: bundleSchemas } } as object);
    reportedCheck = ajv.compile({ $ref: 'tiaowen-bundles#/components/schemas/ReportedDecisionsV1' });
  }
  if (!reportedCheck(value)) throw ApiError.of(400, 'http.invalid-body', ajvDetails(reportedCheck.errors));
  return value as ReportedDecisions;
}

async function readJson(c: Ctx): Promise<unknown> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(json|[\w.+-]+\+json)\b/i.test(type)) {
    throw ApiError.of(415, 'http.unsupported-media-type', [
      { path: 'header.content-type', message: { zh: `应为 application/json,收到 ${type || '(无)'}`, en: `expected application/json, got ${type || '(none)'}` } },
    ]);
  }
  try {
    return JSON.parse(await c.req.text());
  } catch (e) {
    throw ApiError.of(400, 'http.malformed-json', [{ path: '/', message: { zh: 'JSON 解析失败', en: (e as Error).message } }]);
  }
}

/** An If-None-Match header matches when it lists the tag (or `*`); weak prefixes compare equal. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => strip(t) === '*' || strip(t) === etag);
}

export function bundleRoutes(app: App): void {
  route(app, 'GET /api/v1/bundles/key', async (c) => {
    const key = await signingKey(depsOf(c).store);
    const body: BundleKey = { algorithm: 'Ed25519', keyId: key.keyId, publicKey: key.publicPem };
    return c.json(body);
  });

  route(app, 'GET /api/v1/bundles/:jurisdiction/:topic', async (c) => {
    const d = depsOf(c);
    const id = `${c.req.param('jurisdiction')}/${c.req.param('topic')}`;
    // Read-through: a version published on another instance a moment ago is in the bundle too.
    await d.policies.ensure(id);
    const bundle = buildBundle(d.policies.records(), id, todayInShanghai(d.clock));
    if (!bundle) {
      const known = d.policies.records().some((v) => v.policyId === id);
      throw ApiError.of(404, 'policy.not-found', [
        known
          ? { path: 'path.policy', message: { zh: `政策 ${id} 没有现行或将生效的版本`, en: `policy ${id} has no version in force or scheduled` } }
          : { path: 'path.policy', message: { zh: `没有政策 ${id}`, en: `no policy ${id}` } },
      ]);
    }
    const { signed, etag } = signBundle(bundle, await signingKey(d.store));
    c.header('ETag', etag);
    // Clients revalidate every time: the ETag makes that a 304 with no body.
    c.header('Cache-Control', 'no-cache');
    if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
    return c.json(signed);
  });

  route(app, 'POST /api/v1/decisions/reported', async (c) => {
    const d = depsOf(c);
    const actor = actorOf(c);
    const body = checkReported(await readJson(c));
    const entries: LogEntry[] = [];
    for (const [i, item] of body.decisions.entries()) {
      const decision = item.decision as unknown as Decision;
      const path = `/decisions/${i}/decision/policy`;
      // A client reports only decisions on policies of its jurisdictions.
      requirePolicyScope(actor, decision.policy.id, path);
      await d.policies.ensure(decision.policy.id, decision.policy.version);
      const resolved = resolvePublished(d, decision.policy.id, decision.policy.version, decision.asOf, path);
      // The client decided on the same resolved policy (bases included) as the server would: a
      // decision on anything else (a tampered bundle, a stale base) is refused, not logged.
      if (resolved.stamp.hash !== decision.policy.hash) {
        throw ApiError.of(422, 'bundle.policy-mismatch', [
          {
            path: `${path}/hash`,
            message: {
              zh: `${decision.policy.id}@${decision.policy.version} 在 ${decision.asOf} 的哈希应为 ${resolved.stamp.hash.slice(0, 12)}`,
              en: `${decision.policy.id}@${decision.policy.version} on ${decision.asOf} hashes to ${resolved.stamp.hash.slice(0, 12)} here`,
            },
          },
        ]);
      }
      const subject = subjectOf(item.subject);
      entries.push({ caller: actor.name, policy: resolved, decision, facts: item.facts, reportedBy: body.client, ...(subject !== undefined ? { subject } : {}) });
    }
    const ids = await d.decisions.recordMany(entries);
    return c.json({ recorded: ids.length, ids }, 201);
  });
}
