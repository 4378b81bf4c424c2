/**
 * Which roles may call which route: the one table every route registers through
 * (`server/routes/route.ts` refuses a route missing from it) and the role-walk test reads.
 * Keys are `<METHOD> <Hono path>`.
 */
import { ROLES, type Role } from '../store/store.ts';

export type Access = 'public' | readonly Role[];

const ALL: readonly Role[] = ROLES;
/** Read access to policies, drafts and diffs: every person; `system` only evaluates. */
const READERS: readonly Role[] = ['admin', 'author', 'reviewer', 'viewer'];
const EVALUATORS: readonly Role[] = ['admin', 'author', 'reviewer', 'system'];
const EDITORS: readonly Role[] = ['admin', 'author'];
const REVIEWERS: readonly Role[] = ['admin', 'reviewer'];
const ANALYSTS: readonly Role[] = ['admin', 'author', 'reviewer'];
/** Decisions hold household facts: only those who must check them, and the caller systems. */
const DECISION_READERS: readonly Role[] = ['admin', 'reviewer', 'system'];
const ADMIN: readonly Role[] = ['admin'];
/** Caller systems deciding with a bundle report their decisions; admin may too. */
const REPORTERS: readonly Role[] = ['admin', 'system'];

export const PERMISSIONS = {
  'GET /livez': 'public',
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'GET /metrics': 'public',
  'GET /api/v1/openapi.json': 'public',
  'GET /api/v1/me': ALL,

  'GET /api/v1/policies': READERS,
  'GET /api/v1/policies/:jurisdiction/:topic': READERS,
  'GET /api/v1/policies/:jurisdiction/:topic/versions/:version': READERS,
  'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/schema': [...READERS, 'system'],
  // Getting started with a simulation: a blank template and made-up records, no household data.
  'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/template': READERS,
  'GET /api/v1/policies/:jurisdiction/:topic/versions/:version/sample': READERS,

  'POST /api/v1/evaluate': EVALUATORS,
  'POST /api/v1/evaluate/compare': EVALUATORS,
  'POST /api/v1/evaluate/batch': EVALUATORS,

  'GET /api/v1/diff': READERS,

  'POST /api/v1/simulate': ANALYSTS,
  'GET /api/v1/jobs/:id': ANALYSTS,
  'GET /api/v1/jobs/:id/events': ANALYSTS,
  'GET /api/v1/jobs/:id/changes': ANALYSTS,
  'GET /api/v1/jobs/:id/download': ANALYSTS,
  'DELETE /api/v1/jobs/:id': ANALYSTS,

  'GET /api/v1/drafts': READERS,
  'POST /api/v1/drafts': EDITORS,
  'GET /api/v1/drafts/:id': READERS,
  'GET /api/v1/drafts/:id/schema': READERS,
  'PUT /api/v1/drafts/:id': EDITORS,
  'POST /api/v1/drafts/:id/validate': ANALYSTS,
  'POST /api/v1/drafts/:id/submit': EDITORS,
  'POST /api/v1/drafts/:id/approve': REVIEWERS,
  'POST /api/v1/drafts/:id/reject': REVIEWERS,
  'POST /api/v1/drafts/:id/publish': ANALYSTS,
  // The solver's findings on an unsaved text (the editor): those who write or review policies.
  'POST /api/v1/analyze': ANALYSTS,

  'GET /api/v1/decisions': DECISION_READERS,
  'POST /api/v1/decisions/replay': REVIEWERS,
  'GET /api/v1/decisions/:id': DECISION_READERS,
  'POST /api/v1/decisions/:id/replay': DECISION_READERS,
  // Decisions a client made in process with a bundle: the caller systems report them.
  'POST /api/v1/decisions/reported': REPORTERS,

  // Bundles: the public key for anyone to pin; the signed IR for those who may evaluate.
  'GET /api/v1/bundles/key': 'public',
  'GET /api/v1/bundles/:jurisdiction/:topic': EVALUATORS,

  'GET /api/v1/audit': REVIEWERS,

  // Impact reports (server/report/): aggregates and changed records of a simulation, as for jobs;
  // a simulation attached to a draft is for its reviewers to read before approving.
  'GET /api/v1/jobs/:id/report': ANALYSTS,
  'GET /api/v1/jobs/:id/report.xlsx': ANALYSTS,
  'GET /api/v1/drafts/:id/simulations': ANALYSTS,
  'POST /api/v1/drafts/:id/simulations': ANALYSTS,

  'GET /api/v1/tokens': ADMIN,
  'POST /api/v1/tokens': ADMIN,
  'DELETE /api/v1/tokens/:id': ADMIN,

  // Proposes the server's library folder as drafts (server/library/): an administrator's act.
  'POST /api/v1/library/sync': ADMIN,
  // Persons (issue #16): identities, their grants, and tokens issued to them.
  'GET /api/v1/persons': ADMIN,
  'POST /api/v1/persons': ADMIN,
  'GET /api/v1/persons/:id': ADMIN,
  'POST /api/v1/persons/:id/grants': ADMIN,
  'POST /api/v1/persons/:id/approve': ADMIN,
  'POST /api/v1/persons/:id/tokens': ADMIN,
  // Disabling stops a person's tokens at once (one admin suffices); enabling a reviewer or admin waits for a second.
  'POST /api/v1/persons/:id/disable': ADMIN,
  'POST /api/v1/persons/:id/enable': ADMIN,
  // OpenID Connect login for the admin UI: before anyone holds a token.
  'GET /api/v1/auth/config': 'public',
  'GET /api/v1/auth/oidc/login': 'public',
  'GET /api/v1/auth/oidc/callback': 'public',
} as const satisfies Record<string, Access>;

export type RouteKey = keyof typeof PERMISSIONS;

/**
 * A grant finer than a route: evaluating a draft (`policy: "draft:<id>"` on evaluate and compare,
 * and replaying a decision made on one). The people who write and check drafts may try them;
 * `system` — caller systems deciding real cases — evaluates published versions only, so a draft
 * can never decide a real case by mistake; `viewer` does not evaluate at all.
 */
export const DRAFT_EVALUATORS: readonly Role[] = ANALYSTS;

export function mayEvaluateDrafts(role: Role): boolean {
  return DRAFT_EVALUATORS.includes(role);
}

export function allowed(key: RouteKey, role: Role): boolean {
  const access: Access = PERMISSIONS[key];
  return access === 'public' || access.includes(role);
}
