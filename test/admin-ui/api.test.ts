import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiFailure, parseSse } from '../../admin-ui/src/api.ts';
import { setLang, t } from '../../admin-ui/src/i18n/index.ts';
import { zh } from '../../admin-ui/src/i18n/zh.ts';
import { en } from '../../admin-ui/src/i18n/en.ts';
import { sideBySide, collapse } from '../../admin-ui/src/textDiff.ts';
import { can, canOn, canSee, mayTouch } from '../../admin-ui/src/session.ts';
import { PERMISSIONS } from '../../server/auth/permissions.ts';

afterEach(() => {
  vi.unstubAllGlobals();
  setLang('zh');
});

describe('server errors in words', () => {
  it.each([
    [0, '无法连接服务器'],
    [401, '登录已失效'],
    [403, '无权执行此操作'],
    [404, '找不到所请求的内容'],
    [412, '已被他人修改'],
    [422, '按下列提示修改'],
    [500, '服务器出错'],
    [418, '未知错误(418)'],
  ])('status %s says what to do', (status, words) => {
    expect(new ApiFailure(status, 'x').words()).toContain(words);
  });

  it('puts the server’s own words first, in the chosen language', () => {
    const f = new ApiFailure(404, 'policy.not-found', { zh: '没有这个政策', en: 'No such policy' });
    expect(f.words()).toMatch(/^没有这个政策。找不到/);
    setLang('en');
    expect(f.words()).toMatch(/^No such policy/);
  });

  it('turns the error shape into an ApiFailure and reports a 401', async () => {
    const body = { error: { code: 'auth.invalid-token', message: { zh: '访问令牌无效', en: 'invalid' }, details: [{ path: 'h', message: { zh: 'a', en: 'b' } }] } };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status: 401, headers: { 'content-type': 'application/json' } })));
    const client = new ApiClient(() => 'tw_x');
    let told = false;
    client.onUnauthorized = () => (told = true);
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiFailure);
    expect((err as ApiFailure).code).toBe('auth.invalid-token');
    expect((err as ApiFailure).details).toHaveLength(1);
    expect(told).toBe(true);
  });

  it('sends the bearer token and If-Match when saving a draft', async () => {
    const seen: RequestInit[] = [];
    vi.stubGlobal('fetch', vi.fn(async (_url: string, init: RequestInit) => (seen.push(init), new Response('{"id":1}', { status: 200, headers: { etag: '"r2"' } }))));
    const r = await new ApiClient(() => 'tw_tok').saveDraft(1, '"r1"', { source: 'x' });
    expect(r.etag).toBe('"r2"');
    expect(seen[0].headers).toMatchObject({ authorization: 'Bearer tw_tok', 'if-match': '"r1"' });
    expect(seen[0].method).toBe('PUT');
  });
});

describe('server-sent events', () => {
  it('reads complete events only', () => {
    const buf = 'event: progress\ndata: {"done":1}\n\nevent: end\ndata: {"done":2}\n\nevent: progress\ndata: {"do';
    expect(parseSse(buf)).toEqual([
      { type: 'progress', data: { done: 1 } },
      { type: 'end', data: { done: 2 } },
    ]);
  });
});

describe('text diff rows', () => {
  it('pairs removals with the additions after them', () => {
    const rows = sideBySide([
      { op: ' ', a: 1, b: 1, text: 'x' },
      { op: '-', a: 2, text: 'old' },
      { op: '+', b: 2, text: 'new' },
      { op: '+', b: 3, text: 'more' },
    ]);
    expect(rows).toEqual([
      { left: { n: 1, text: 'x', op: ' ' }, right: { n: 1, text: 'x', op: ' ' } },
      { left: { n: 2, text: 'old', op: '-' }, right: { n: 2, text: 'new', op: '+' } },
      { right: { n: 3, text: 'more', op: '+' } },
    ]);
  });

  it('folds unchanged runs beyond the context', () => {
    const same = Array.from({ length: 10 }, (_, i) => ({ op: ' ' as const, a: i + 1, b: i + 1, text: `l${i}` }));
    const rows = sideBySide([...same, { op: '-', a: 11, text: 'gone' }]);
    const out = collapse(rows, 2);
    expect(out[0]).toEqual({ skipped: 8 });
    expect(out).toHaveLength(4);
  });

  it('marks the lines the server left out between hunks', () => {
    // Hunks of a diff of 40 lines: lines 7–13 and 27–33 around changes at 10 and 30.
    const hunk = (from: number, changed: number) => [
      ...[0, 1, 2].map((k) => ({ op: ' ' as const, a: from + k, b: from + k, text: `l${from + k}` })),
      { op: '-' as const, a: changed, text: 'old' },
      { op: '+' as const, b: changed, text: 'new' },
      ...[1, 2, 3].map((k) => ({ op: ' ' as const, a: changed + k, b: changed + k, text: `l${changed + k}` })),
    ];
    const out = collapse(sideBySide([...hunk(7, 10), ...hunk(27, 30)]), 3);
    expect(out.filter((r) => 'skipped' in r)).toEqual([{ skipped: 13 }]);
  });
});

describe('catalogues and roles', () => {
  it('has every text in both languages', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zh).sort());
    for (const [k, v] of Object.entries(en)) expect(v, k).not.toBe('');
    expect(t('library.count', { n: 3 })).toBe('共 3 项政策');
  });

  // The UI's copy of the role table must not offer what the server refuses.
  it.each([
    ['edit', 'PUT /api/v1/drafts/:id'],
    ['review', 'POST /api/v1/drafts/:id/approve'],
    ['publish', 'POST /api/v1/drafts/:id/publish'],
    ['simulate', 'POST /api/v1/simulate'],
    ['audit', 'GET /api/v1/audit'],
    ['read', 'GET /api/v1/policies'],
    ['syncLibrary', 'POST /api/v1/library/sync'],
  ] as const)('%s matches %s', (action, key) => {
    for (const role of ['admin', 'author', 'reviewer', 'system', 'viewer'] as const) {
      expect(can(role, action), `${role} ${action}`).toBe((PERMISSIONS[key] as readonly string[]).includes(role));
    }
  });

  it('offers no page to someone not logged in', () => {
    expect(canSee(undefined, 'library')).toBe(false);
    expect(canSee({ name: 'v', role: 'viewer' }, 'review')).toBe(false);
  });

  it('offers nothing to a pending person, and actions only on policies the grant covers', () => {
    expect(canSee({ name: 'r', role: 'reviewer', pending: true, scope: [] }, 'library')).toBe(false);
    const gansu = { name: 'a', role: 'author' as const, pending: false, scope: ['gansu'] };
    expect(canOn(gansu, 'edit', 'gansu/低保')).toBe(true);
    expect(canOn(gansu, 'edit', 'central/低保')).toBe(false);
    expect(canOn(gansu, 'review', 'gansu/低保')).toBe(false);
    expect(mayTouch({ name: 'v', role: 'viewer', scope: '*' }, 'shanxi/x')).toBe(true);
    // A draft that names no policy yet is its author's to edit.
    expect(canOn(gansu, 'edit', undefined)).toBe(true);
  });
});
