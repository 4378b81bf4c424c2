/**
 * Who is logged in: the access token lives in sessionStorage (gone when the tab closes), the name
 * and role come from `GET /api/v1/me`. `can()` mirrors server/auth/permissions.ts so the UI does
 * not offer what a role may not do; the server still decides.
 */
import type { Me, Role } from './wire.ts';
import type { PageName } from './router.ts';

const TOKEN_KEY = 'tiaowen.token';

export function storedToken(): string | undefined {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage blocked: the login lasts as long as the page
  }
}

/**
 * After an OpenID Connect login the server sends the browser to `/#session=tw_…` (the fragment
 * never reaches a server): keep the token as a pasted one and clear it from the address bar.
 */
export function takeSessionFromHash(): boolean {
  const m = /^#session=(tw_[A-Za-z0-9_-]+)$/.exec(globalThis.location?.hash ?? '');
  if (!m) return false;
  storeToken(m[1]);
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return true;
}

export type Action =
  | 'read'
  | 'evaluate'
  | 'edit'
  | 'simulate'
  | 'review'
  | 'publish'
  | 'audit'
  | 'decisions'
  | 'syncLibrary'
  | 'persons';

const ACTIONS: Record<Action, readonly Role[]> = {
  read: ['admin', 'author', 'reviewer', 'viewer'],
  evaluate: ['admin', 'author', 'reviewer', 'system'],
  edit: ['admin', 'author'],
  simulate: ['admin', 'author', 'reviewer'],
  review: ['admin', 'reviewer'],
  publish: ['admin', 'author', 'reviewer'],
  audit: ['admin', 'reviewer'],
  decisions: ['admin', 'reviewer'],
  syncLibrary: ['admin'],
  persons: ['admin'],
};

export function can(role: Role | undefined, action: Action): boolean {
  return !!role && ACTIONS[action].includes(role);
}

/** What a page needs; a page a role cannot use is not in its navigation. */
export const PAGE_ACTION: Record<PageName, Action> = {
  library: 'read',
  policy: 'read',
  editor: 'read',
  try: 'evaluate',
  diff: 'read',
  simulate: 'simulate',
  review: 'review',
  decisions: 'decisions',
  persons: 'persons',
};

export function canSee(me: Me | undefined, page: PageName): boolean {
  // A person awaiting a second admin's approval may do nothing yet (the server answers only /me).
  return !me?.pending && can(me?.role, PAGE_ACTION[page]);
}

/**
 * Whether the person's grant covers a policy's jurisdiction (the first segment of its id), as
 * server/auth/scope.ts decides: actions on other jurisdictions' policies are not offered.
 */
export function mayTouch(me: Me | undefined, policyId: string | undefined): boolean {
  const scope = me?.scope;
  if (!scope || scope === '*' || !policyId) return true;
  return scope.includes(policyId.split('/')[0]!);
}

/** `can` for one policy: the role may, and the grant covers the policy's jurisdiction. */
export function canOn(me: Me | undefined, action: Action, policyId: string | undefined): boolean {
  return !me?.pending && can(me?.role, action) && mayTouch(me, policyId);
}
