/**
 * A token's name is a person, and four eyes compares persons: no spelling of the author's name
 * approves the author's draft; a name with invisible characters is refused. Persons are records:
 * a reviewer or admin grant an admin asks for waits for a second admin (four eyes on identities).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personName, samePerson } from '../../server/auth/person.ts';
import { Persons } from '../../server/store/persons.ts';
import { main } from '../../server/cli/main.ts';
import { Store } from '../../server/store/store.ts';
import { expectError, makeApp, testStoreSpec, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
});
afterAll(async () => t.close());

describe('persons', () => {
  it.each([
    ['alice', 'alice ', true],
    ['alice', ' alice', true],
    ['alice', 'Alice', true],
    ['alice', 'ａｌｉｃｅ', true],
    ['alice', 'alice\t', true],
    ['张三', ' 张三 ', true],
    ['alice', 'alicia', false],
    ['张三', '张三丰', false],
  ])('%j and %j are the same person: %s', (a, b, same) => expect(samePerson(a, b)).toBe(same));

  it.each(['alice\u200b', 'al\u200dice', '\u202ealice', 'ali\u0007ce', '', '   '])('refuses %j as a name', (raw) => {
    expect('error' in personName(raw)).toBe(true);
  });

  it('no spelling of the author approves their draft, before or after a second admin approves the grant; an invisible character is refused', async () => {
    const alice = (await t.deps.auth.create('author', 'alice', 'test')).token;
    const draft = (await (await t.req('POST', '/api/v1/drafts', { as: alice, json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/submit`, { as: alice })).status).toBe(200);
    const spelled: string[] = [];
    for (const spelling of ['alice ', ' alice', 'Alice', 'ａｌｉｃｅ', 'alice\t']) {
      const res = await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'reviewer', name: spelling } });
      expect(res.status).toBe(201);
      const made = (await res.json()) as { token: string; name: string };
      expect(made.name).toBe(spelling.normalize('NFKC').trim());
      spelled.push(made.token);
      // A reviewer grant an admin asks for waits for a second admin: the token does nothing yet.
      await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: made.token }), 403, 'auth.pending');
    }
    // Every spelling is the one person alice, now holding author (active) and reviewer (pending).
    const persons = ((await (await t.req('GET', '/api/v1/persons', { as: 'admin' })).json()) as { items: { id: number; key: string; grants: { role: string; status: string }[] }[] }).items;
    const a = persons.filter((p) => p.key === 'alice');
    expect(a).toHaveLength(1);
    expect(a[0].grants.map((g) => `${g.role}:${g.status}`).sort()).toEqual(['author:active', 'reviewer:pending']);
    const admin2 = (await t.deps.auth.create('admin', '第二管理员', 'test')).token;
    expect((await t.req('POST', `/api/v1/persons/${a[0].id}/approve`, { as: admin2 })).status).toBe(200);
    for (const token of spelled) await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: token }), 403, 'draft.four-eyes');
    const hidden = await expectError(await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'reviewer', name: 'alice\u200b' } }), 400, 'token.bad-name');
    expect(hidden.error.details?.[0]?.path).toBe('/name');
    // Someone else approves.
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: '李四' })).status).toBe(200);
  });
});

describe('four eyes on identities', () => {
  it('admin-2 minted by an admin stays pending and cannot approve their draft; a second admin approves, then it works; audit says who', async () => {
    const draft = (await (await t.req('POST', '/api/v1/drafts', { as: 'admin', json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/submit`, { as: 'admin' })).status).toBe(200);
    const made = await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'reviewer', name: 'admin-2' } });
    expect(made.status).toBe(201);
    const second = (await made.json()) as { id: number; token: string };
    await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: second.token }), 403, 'auth.pending');
    // A pending person may ask who they are, and is told they are pending.
    const me = (await (await t.req('GET', '/api/v1/me', { as: second.token })).json()) as { name: string; pending: boolean; role: string };
    expect(me).toMatchObject({ name: 'admin-2', pending: true, role: 'reviewer' });
    const persons = ((await (await t.req('GET', '/api/v1/persons', { as: 'admin' })).json()) as { items: { id: number; key: string; status: string; createdBy: string }[] }).items;
    const p = persons.find((x) => x.key === 'admin-2')!;
    expect(p).toMatchObject({ status: 'pending', createdBy: 'admin' });
    // The admin who asked may not approve; nor may the pending person (nothing answers it).
    await expectError(await t.req('POST', `/api/v1/persons/${p.id}/approve`, { as: 'admin' }), 403, 'person.four-eyes');
    await expectError(await t.req('POST', `/api/v1/persons/${p.id}/approve`, { as: second.token }), 403, 'auth.pending');
    // A pending admin minted by the same admin cannot approve either.
    const third = (await (await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'admin', name: 'admin-3' } })).json()) as { token: string };
    await expectError(await t.req('POST', `/api/v1/persons/${p.id}/approve`, { as: third.token }), 403, 'auth.pending');
    // A second admin (made by the operator) approves: admin-2 is a person of their own, and approves.
    const other = (await t.deps.auth.create('admin', '另一管理员', 'test')).token;
    const approved = (await (await t.req('POST', `/api/v1/persons/${p.id}/approve`, { as: other })).json()) as { status: string; approvedBy: string };
    expect(approved).toMatchObject({ status: 'active', approvedBy: '另一管理员' });
    await expectError(await t.req('POST', `/api/v1/persons/${p.id}/approve`, { as: other }), 409, 'person.not-pending');
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: second.token })).status).toBe(200);

    const audit = ((await (await t.req('GET', `/api/v1/audit?target=person:${p.id}`, { as: 'admin' })).json()) as { items: { actor: string; action: string }[] }).items;
    expect(audit.map((r) => `${r.action} by ${r.actor}`).sort()).toEqual(['person.approve by 另一管理员', 'person.create by admin']);
    const issued = ((await (await t.req('GET', `/api/v1/audit?target=token:${second.id}`, { as: 'admin' })).json()) as { items: { actor: string; action: string; after: { issuedTo: string; personId: number } }[] }).items;
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ actor: 'admin', action: 'token.create', after: { issuedTo: 'admin-2', personId: p.id } });
  });

  it('persons are made by route: author grants are active at once, identities are unique, tokens are issued for held roles only', async () => {
    const res = await t.req('POST', '/api/v1/persons', { as: 'admin', json: { name: 'Carol', grants: [{ role: 'author', jurisdictions: ['gansu'] }] } });
    expect(res.status).toBe(201);
    const carol = (await res.json()) as { id: number; status: string; grants: { role: string; jurisdictions: string[] }[] };
    expect(carol).toMatchObject({ status: 'active', grants: [{ role: 'author', jurisdictions: ['gansu'], status: 'active' }] });
    await expectError(await t.req('POST', '/api/v1/persons', { as: 'admin', json: { name: 'ｃａｒｏｌ ', grants: [{ role: 'viewer' }] } }), 409, 'person.exists');
    await expectError(await t.req('POST', '/api/v1/persons', { as: 'admin', json: { name: 'car\u200bol', grants: [{ role: 'viewer' }] } }), 400, 'person.bad-name');
    await expectError(await t.req('POST', `/api/v1/persons/${carol.id}/tokens`, { as: 'admin', json: { role: 'reviewer' } }), 409, 'person.no-grant');
    await expectError(await t.req('POST', '/api/v1/persons/999999/tokens', { as: 'admin', json: { role: 'author' } }), 404, 'person.not-found');
    const tok = (await (await t.req('POST', `/api/v1/persons/${carol.id}/tokens`, { as: 'admin', json: { role: 'author' } })).json()) as { token: string };
    const me = (await (await t.req('GET', '/api/v1/me', { as: tok.token })).json()) as { personId: number; scope: string[]; pending: boolean };
    expect(me).toMatchObject({ personId: carol.id, scope: ['gansu'], pending: false });
    // Adding a reviewer grant leaves her author token working and the new grant pending.
    const granted = (await (await t.req('POST', `/api/v1/persons/${carol.id}/grants`, { as: 'admin', json: { role: 'reviewer', jurisdictions: ['gansu'] } })).json()) as { status: string; grants: { role: string; status: string }[] };
    expect(granted.status).toBe('active');
    expect(granted.grants.find((g) => g.role === 'reviewer')?.status).toBe('pending');
    expect((await t.req('GET', '/api/v1/me', { as: tok.token })).status).toBe(200);
    expect((await t.req('GET', '/api/v1/policies', { as: tok.token })).status).toBe(200);
    // Non-admins do not see persons.
    expect((await t.req('GET', '/api/v1/persons', { as: '李四' })).status).toBe(403);
  });

  it('widening a pending grant keeps it pending and keeps the asking admin from approving it', async () => {
    const persons = t.deps.auth.persons;
    const asker = { kind: 'person' as const, id: 1, name: 'admin' };
    const p = await persons.create('孙八', [{ role: 'reviewer', jurisdictions: ['gansu'] }], asker);
    const widened = (await persons.grant(p.id, 'reviewer', ['shanxi'], { kind: 'operator', name: 'cli' }))!;
    expect(widened.grants).toEqual([{ role: 'reviewer', jurisdictions: ['gansu', 'shanxi'], status: 'pending', requestedBy: 1 }]);
    await expect(persons.approve(p.id, { id: 1, name: 'admin' })).rejects.toMatchObject({ code: 'person.four-eyes' });
    expect((await persons.approve(p.id, { id: 0, name: 'cli' }))?.status).toBe('active');
  });

  it('the last acting admin token cannot be revoked while the only other admin is pending', async () => {
    const t2 = await makeApp();
    try {
      const pending = (await (await t2.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'admin', name: 'newcomer' } })).json()) as { id: number };
      const tokens = ((await (await t2.req('GET', '/api/v1/tokens', { as: 'admin' })).json()) as { items: { id: number; name: string }[] }).items;
      const mine = tokens.find((x) => x.name === 'admin')!;
      await expectError(await t2.req('DELETE', `/api/v1/tokens/${mine.id}`, { as: 'admin' }), 409, 'token.last-admin');
      // The pending one may go.
      expect((await t2.req('DELETE', `/api/v1/tokens/${pending.id}`, { as: 'admin' })).status).toBe(200);
    } finally {
      await t2.close();
    }
  });

  it('tokens from before persons get one person per name key at open; names differing in case or width merge', async () => {
    const where = await testStoreSpec(t.dir, 'legacy.sqlite');
    const store = await Store.open(where.spec);
    try {
      await store.createToken({ name: 'Bob', role: 'author', hash: 'h-bob-1', createdBy: 'test' });
      await store.createToken({ name: 'ｂｏｂ', role: 'reviewer', hash: 'h-bob-2', createdBy: 'test' });
      await store.createToken({ name: 'dave', role: 'viewer', hash: 'h-dave', createdBy: 'test' });
      const persons = new Persons(store);
      expect(await persons.linkTokens()).toBe(3);
      const all = await persons.list();
      const bob = all.find((p) => p.key === 'bob')!;
      expect(bob.grants.map((g) => `${g.role}:${g.status}`).sort()).toEqual(['author:active', 'reviewer:active']);
      expect(all.filter((p) => p.key === 'dave')).toHaveLength(1);
      expect(await persons.linkTokens()).toBe(0);
      const found = await persons.byTokenHash('h-bob-2');
      expect(found?.person.id).toBe(bob.id);
    } finally {
      await store.close();
      await where.drop();
    }
  });

  it('tiaowen persons: the operator creates, lists and approves; --help explains', async () => {
    const where = await testStoreSpec(t.dir, 'cli.sqlite');
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
      return { code, text: out.join('\n') };
    };
    try {
      const help = await run('persons', '--help');
      expect(help.code).toBe(0);
      expect(help.text).toMatch(/persons create/);
      expect((await run('persons', 'create', '--name', '王五', '--role', 'reviewer', '--jurisdictions', 'shanxi', '--store', where.spec)).code).toBe(0);
      expect((await run('persons', 'create', '--name', 'x', '--role', 'author', '--jurisdictions', 'Not Valid', '--store', where.spec)).code).toBe(2);
      expect((await run('token', 'create', '--name', '王五', '--role', 'reviewer', '--store', where.spec)).code).toBe(0);
      const listed = await run('persons', 'list', '--store', where.spec);
      expect(listed.text).toMatch(/王五\tactive\treviewer:shanxi$/m);
      // Nothing waits: the operator's grants count at once.
      expect((await run('persons', 'approve', '--name', '王五', '--store', where.spec)).code).toBe(2);
      // A grant an admin asked for over the API waits; the operator may approve it.
      const store = await Store.open(where.spec);
      try {
        await new Persons(store).create('赵七', [{ role: 'admin', jurisdictions: '*' }], { kind: 'person', id: 1, name: 'admin' });
      } finally {
        await store.close();
      }
      expect((await run('persons', 'list', '--store', where.spec)).text).toMatch(/赵七\tpending\tadmin:\*\(pending\)/);
      expect((await run('persons', 'approve', '--name', ' 赵七 ', '--store', where.spec)).code).toBe(0);
      expect((await run('persons', 'list', '--store', where.spec)).text).toMatch(/赵七\tactive\tadmin:\*$/m);
    } finally {
      await where.drop();
    }
  });
});

describe('disabling a person', () => {
  it('one admin disables (not the last active admin); tokens answer 401 auth.disabled; enabling a reviewer waits for a second admin; audited', async () => {
    const t2 = await makeApp();
    try {
      const persons = ((await (await t2.req('GET', '/api/v1/persons', { as: 'admin' })).json()) as { items: { id: number; key: string }[] }).items;
      const admin = persons.find((p) => p.key === 'admin')!;
      const reviewer = persons.find((p) => p.key === '李四')!;
      // The only active admin (a pending one does not count) may not be disabled, by themselves or anyone.
      await t2.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'admin', name: 'newcomer' } });
      await expectError(await t2.req('POST', `/api/v1/persons/${admin.id}/disable`, { as: 'admin' }), 409, 'person.last-admin');
      await expectError(await t2.req('POST', `/api/v1/persons/${reviewer.id}/disable`, { as: '李四' }), 403, 'auth.forbidden');
      await expectError(await t2.req('POST', '/api/v1/persons/999999/disable', { as: 'admin' }), 404, 'person.not-found');

      expect((await t2.req('GET', '/api/v1/policies', { as: '李四' })).status).toBe(200);
      const off = await t2.req('POST', `/api/v1/persons/${reviewer.id}/disable`, { as: 'admin' });
      expect(off.status).toBe(200);
      expect(((await off.json()) as { status: string }).status).toBe('disabled');
      await expectError(await t2.req('GET', '/api/v1/policies', { as: '李四' }), 401, 'auth.disabled');
      await expectError(await t2.req('GET', '/api/v1/me', { as: '李四' }), 401, 'auth.disabled');
      await expectError(await t2.req('POST', `/api/v1/persons/${reviewer.id}/disable`, { as: 'admin' }), 409, 'person.disabled');

      // Enabled by one admin, the reviewer grant waits again: the token answers only /me, as pending.
      const on = (await (await t2.req('POST', `/api/v1/persons/${reviewer.id}/enable`, { as: 'admin' })).json()) as { status: string; grants: { role: string; status: string }[] };
      expect(on).toMatchObject({ status: 'pending', grants: [{ role: 'reviewer', status: 'pending' }] });
      await expectError(await t2.req('POST', `/api/v1/persons/${reviewer.id}/enable`, { as: 'admin' }), 409, 'person.not-disabled');
      expect(((await (await t2.req('GET', '/api/v1/me', { as: '李四' })).json()) as { pending: boolean }).pending).toBe(true);
      await expectError(await t2.req('GET', '/api/v1/policies', { as: '李四' }), 403, 'auth.pending');
      await expectError(await t2.req('POST', `/api/v1/persons/${reviewer.id}/approve`, { as: 'admin' }), 403, 'person.four-eyes');
      const other = (await t2.deps.auth.create('admin', '另一管理员', 'test')).token;
      expect((await t2.req('POST', `/api/v1/persons/${reviewer.id}/approve`, { as: other })).status).toBe(200);
      expect((await t2.req('GET', '/api/v1/policies', { as: '李四' })).status).toBe(200);

      // With a second active admin, the first may be disabled (by either); an author's enable counts at once.
      expect((await t2.req('POST', `/api/v1/persons/${admin.id}/disable`, { as: other })).status).toBe(200);
      await expectError(await t2.req('GET', '/api/v1/me', { as: 'admin' }), 401, 'auth.disabled');
      const author = persons.find((p) => p.key === '张三')!;
      expect((await t2.req('POST', `/api/v1/persons/${author.id}/disable`, { as: other })).status).toBe(200);
      const back = (await (await t2.req('POST', `/api/v1/persons/${author.id}/enable`, { as: other })).json()) as { status: string };
      expect(back.status).toBe('active');
      expect((await t2.req('GET', '/api/v1/drafts', { as: '张三' })).status).toBe(200);

      const audit = ((await (await t2.req('GET', `/api/v1/audit?target=person:${reviewer.id}`, { as: other })).json()) as { items: { actor: string; action: string }[] }).items;
      expect(audit.map((r) => `${r.action} by ${r.actor}`)).toEqual(['person.approve by 另一管理员', 'person.enable by admin', 'person.disable by admin', 'person.create by test']);
    } finally {
      await t2.close();
    }
  });

  it('tiaowen persons disable|enable: the operator disables and enables at once; refusals exit 2', async () => {
    const where = await testStoreSpec(t.dir, 'cli-disable.sqlite');
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
      return { code, text: out.join('\n') };
    };
    try {
      expect((await run('persons', 'create', '--name', '王五', '--role', 'reviewer', '--jurisdictions', 'shanxi', '--store', where.spec)).code).toBe(0);
      const off = await run('persons', 'disable', '--name', '王五', '--store', where.spec);
      expect([off.code, off.text]).toEqual([0, expect.stringMatching(/王五\tdisabled\treviewer:shanxi$/)]);
      const again = await run('persons', 'disable', '--name', '王五', '--store', where.spec);
      expect([again.code, again.text]).toEqual([2, expect.stringMatching(/^person\.disabled: /)]);
      expect((await run('persons', 'disable', '--name', 'nobody', '--store', where.spec)).code).toBe(2);
      // The operator is trusted: the reviewer grant is active again at once.
      expect((await run('persons', 'enable', '--name', '王五', '--store', where.spec)).text).toMatch(/王五\tactive\treviewer:shanxi$/);
      expect((await run('persons', 'enable', '--name', '王五', '--store', where.spec)).code).toBe(2);
      expect((await run('persons', '--help')).text).toMatch(/persons disable/);
    } finally {
      await where.drop();
    }
  });
});
