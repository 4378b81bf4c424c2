/**
 * Persons: identities with grants (role × jurisdictions) that tokens are issued to. Creating a
 * person with a reviewer or admin grant (or adding one) waits for a second admin's approval.
 */
import { actorOf, depsOf, route, type App, type Ctx } from '../context.ts';
import { ApiError } from '../errors.ts';
import { personName } from '../auth/person.ts';
import * as C from '../contract/wire.ts';
import { jsonBody } from '../validate.ts';
import type { CreatedToken, ItemList, Person } from '../wire.ts';

function personId(c: Ctx): number {
  const raw = c.req.param('id') ?? '';
  const id = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw notFound(raw);
  return id;
}

const notFound = (raw: string) => ApiError.of(404, 'person.not-found', [{ path: 'path.id', message: { zh: `人员 ${raw}`, en: `person ${raw}` } }]);

export function personRoutes(app: App): void {
  route(app, 'GET /api/v1/persons', async (c) => c.json<ItemList<Person>>({ items: await depsOf(c).auth.persons.list() }));

  route(app, 'POST /api/v1/persons', async (c) => {
    const body = await jsonBody(c, C.CreatePersonRequest);
    const name = personName(body.name);
    if ('error' in name) throw ApiError.of(400, 'person.bad-name', [{ path: '/name', message: name.error }]);
    const grants = body.grants.map((g) => ({ role: g.role, jurisdictions: g.jurisdictions ?? ('*' as const) }));
    const p = await depsOf(c).auth.persons.create(name.name, grants, { kind: 'person', id: actorOf(c).personId, name: actorOf(c).name });
    return c.json<Person>(p, 201);
  });

  route(app, 'GET /api/v1/persons/:id', async (c) => {
    const p = await depsOf(c).auth.persons.byId(personId(c));
    if (!p) throw notFound(c.req.param('id') ?? '');
    return c.json<Person>(p);
  });

  route(app, 'POST /api/v1/persons/:id/grants', async (c) => {
    const body = await jsonBody(c, C.GrantRequest);
    const a = actorOf(c);
    const p = await depsOf(c).auth.persons.grant(personId(c), body.role, body.jurisdictions ?? '*', { kind: 'person', id: a.personId, name: a.name });
    if (!p) throw notFound(c.req.param('id') ?? '');
    return c.json<Person>(p);
  });

  route(app, 'POST /api/v1/persons/:id/approve', async (c) => {
    const a = actorOf(c);
    const p = await depsOf(c).auth.persons.approve(personId(c), { id: a.personId, name: a.name });
    if (!p) throw notFound(c.req.param('id') ?? '');
    return c.json<Person>(p);
  });

  route(app, 'POST /api/v1/persons/:id/disable', async (c) => {
    const a = actorOf(c);
    const p = await depsOf(c).auth.persons.disable(personId(c), { kind: 'person', id: a.personId, name: a.name });
    if (!p) throw notFound(c.req.param('id') ?? '');
    return c.json<Person>(p);
  });

  route(app, 'POST /api/v1/persons/:id/enable', async (c) => {
    const a = actorOf(c);
    const p = await depsOf(c).auth.persons.enable(personId(c), { kind: 'person', id: a.personId, name: a.name });
    if (!p) throw notFound(c.req.param('id') ?? '');
    return c.json<Person>(p);
  });

  route(app, 'POST /api/v1/persons/:id/tokens', async (c) => {
    const body = await jsonBody(c, C.IssueTokenRequest);
    const id = personId(c);
    if (!(await depsOf(c).auth.persons.byId(id))) throw notFound(c.req.param('id') ?? '');
    const { token, record } = await depsOf(c).auth.issue(id, body.role, actorOf(c));
    return c.json<CreatedToken>({ ...record, token }, 201);
  });
}
