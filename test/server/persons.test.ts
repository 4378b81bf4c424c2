/**
 * A token's name is a person, and four eyes compares persons: no spelling of the author's name
 * approves the author's draft; a name with invisible characters is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personName, samePerson } from '../../server/auth/person.ts';
import { expectError, makeApp, type TestApp } from './helpers.ts';

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

  it('no spelling of the author approves their draft; an invisible character is refused at creation', async () => {
    const alice = (await t.deps.auth.create('author', 'alice', 'test')).token;
    const draft = (await (await t.req('POST', '/api/v1/drafts', { as: alice, json: { from: { policy: 'demo/loan', version: '2015.1' } } })).json()) as { id: number };
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/submit`, { as: alice })).status).toBe(200);
    for (const spelling of ['alice ', ' alice', 'Alice', 'ａｌｉｃｅ', 'alice\t']) {
      const res = await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'reviewer', name: spelling } });
      expect(res.status).toBe(201);
      const made = (await res.json()) as { token: string; name: string };
      expect(made.name).toBe(spelling.normalize('NFKC').trim());
      await expectError(await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: made.token }), 403, 'draft.four-eyes');
    }
    const hidden = await expectError(await t.req('POST', '/api/v1/tokens', { as: 'admin', json: { role: 'reviewer', name: 'alice\u200b' } }), 400, 'token.bad-name');
    expect(hidden.error.details?.[0]?.path).toBe('/name');
    // Someone else approves.
    expect((await t.req('POST', `/api/v1/drafts/${draft.id}/approve`, { as: '李四' })).status).toBe(200);
  });
});
