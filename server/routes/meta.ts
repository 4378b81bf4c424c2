/** Health, metrics, the OpenAPI document, who-am-i, tokens and the audit trail. */
import { actorOf, depsOf, route, type App } from '../context.ts';
import { ApiError } from '../errors.ts';
import { OPENAPI } from '../openapi.ts';
import { mayReadPersonal } from '../privacy.ts';
import { ROLES, StoreConflict } from '../store/store.ts';
import * as C from '../contract/wire.ts';
import { intQuery, jsonBody } from '../validate.ts';
import type { AuditPage, CreatedToken, CreateTokenRequest, ErrorBody, Health, ItemList, Live, Me, Ready, TokenInfo } from '../wire.ts';

export function metaRoutes(app: App): void {
  // Liveness for a load balancer or orchestrator: the event loop answers. Touches nothing, so it is
  // also the constant route the benchmark compares evaluate with.
  route(app, 'GET /livez', (c) => c.json<Live>({ status: 'live' }));

  route(app, 'GET /healthz', async (c) => {
    try {
      await depsOf(c).store.db.get('SELECT 1');
      return c.json<Health>({ status: 'ok', policies: depsOf(c).policies.records().length });
    } catch {
      return c.json<ErrorBody>({ error: { code: 'health.database', message: { zh: '数据库不可用', en: 'Database unavailable' } } }, 503);
    }
  });

  route(app, 'GET /readyz', async (c) => {
    const d = depsOf(c);
    const refuse = (code: string, zh: string, en: string) => c.json<ErrorBody>({ error: { code, message: { zh, en } } }, 503);
    if (d.lifecycle.draining) return refuse('health.draining', '实例正在停止', 'This instance is shutting down');
    try {
      if (!(await d.store.ready())) return refuse('health.migrations', '数据库结构尚未迁移到本版本', 'The database schema is not migrated to this version yet');
    } catch {
      return refuse('health.database', '数据库不可用', 'Database unavailable');
    }
    return c.json<Ready>({ status: 'ready', store: d.store.dialect, instance: d.jobs.runnerId });
  });

  route(app, 'GET /metrics', async (c) => {
    const d = depsOf(c);
    const text = d.metrics.render({
      tiaowen_published_versions: d.policies.records().length,
      tiaowen_jobs_running: d.jobs.running(),
      tiaowen_decision_log_commits_total: d.decisions.stats.commits,
      tiaowen_decision_log_rows_total: d.decisions.stats.rows,
      tiaowen_decision_log_commit_seconds_total: d.decisions.stats.commitSeconds,
    });
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

  route(app, 'GET /api/v1/openapi.json', (c) => c.json(OPENAPI));

  route(app, 'GET /api/v1/me', async (c) => {
    const a = actorOf(c);
    const person = await depsOf(c).auth.persons.byId(a.personId);
    const grants = (person?.grants ?? []).map((g) => ({ role: g.role, jurisdictions: g.jurisdictions, status: g.status }));
    const log = depsOf(c).decisions.config;
    // What the admin UI shows about personal data: retention, server-wide masks, this role's access (../privacy.ts).
    const privacy = { retentionDays: log.retentionDays, maskFields: log.maskFields, personalData: mayReadPersonal(a.role, a.role === 'system') };
    return c.json<Me>({ name: a.name, role: a.role, personId: a.personId, scope: a.scope, pending: a.pending, grants, privacy });
  });

  route(app, 'GET /api/v1/tokens', async (c) => c.json<ItemList<TokenInfo>>({ items: await depsOf(c).store.listTokens() }));

  route(app, 'POST /api/v1/tokens', async (c) => {
    const body = await jsonBody(c, C.CreateTokenRequest);
    // By name: finds or makes the person; a reviewer or admin grant waits for a second admin.
    const { token, record } = await depsOf(c).auth.create(body.role, body.name, actorOf(c), body.jurisdictions);
    return c.json<CreatedToken>({ ...record, token }, 201);
  });

  route(app, 'DELETE /api/v1/tokens/:id', async (c) => {
    const id = Number(c.req.param('id'));
    let rec;
    try {
      rec = Number.isInteger(id) ? await depsOf(c).store.revokeToken(id, actorOf(c).name) : undefined;
    } catch (e) {
      if (e instanceof StoreConflict && e.message === 'last-admin') throw ApiError.of(409, 'token.last-admin');
      throw e;
    }
    if (!rec) throw ApiError.of(404, 'token.not-found', [{ path: 'path.id', message: { zh: `令牌 ${c.req.param('id')}`, en: `token ${c.req.param('id')}` } }]);
    return c.json<TokenInfo>(rec);
  });

  route(app, 'GET /api/v1/audit', async (c) => {
    const page = intQuery(c, 'page', 1, 1, 1_000_000);
    const pageSize = intQuery(c, 'pageSize', 50, 1, 1000);
    const q = c.req.query();
    const scope = actorOf(c).scope;
    const result = await depsOf(c).store.queryAudit({
      // A scoped reviewer reads only entries about what they may touch (server/store/store.ts auditScope).
      ...(scope === '*' ? {} : { scope }),
      actor: q.actor || undefined,
      target: q.target || undefined,
      action: q.action || undefined,
      from: q.from || undefined,
      to: q.to || undefined,
      page,
      pageSize,
    });
    return c.json<AuditPage>({ ...result, page, pageSize });
  });
}

export { ROLES };
