/**
 * References to something that can be diffed or evaluated: `<policy>@<version>`, `<policy>`
 * (the version in force on the as-of date) or `draft:<id>` (compiled on the fly).
 */
import type { PolicyIR } from '../engine/ir/types.ts';
import { hasErrors } from '../dsl/diagnostics.ts';
import type { AppDeps } from './context.ts';
import type { ResolvedPolicyLike } from './engine.ts';
import { ApiError, diagnosticDetails, type ErrorDetail } from './errors.ts';
import type { DraftMarker, SourceFormat } from './store/store.ts';

export type Ref = { kind: 'version'; policy: string; version?: string } | { kind: 'draft'; id: number };

export function parseRef(raw: string | undefined, path: string): Ref {
  const bad = () =>
    ApiError.of(400, 'diff.bad-ref', [{ path, message: { zh: `无法识别的引用:${raw ?? '(空)'}`, en: `cannot read reference: ${raw ?? '(empty)'}` } }]);
  if (!raw) throw bad();
  const d = /^draft:(\d+)$/.exec(raw);
  if (d) return { kind: 'draft', id: Number(d[1]) };
  const at = raw.lastIndexOf('@');
  if (at === 0 || at === raw.length - 1) throw bad();
  if (at > 0) return { kind: 'version', policy: raw.slice(0, at), version: raw.slice(at + 1) };
  if (!/^[^\s/]+\/[^\s]+$/.test(raw)) throw bad();
  return { kind: 'version', policy: raw };
}

export interface Loaded {
  label: string;
  ir: PolicyIR;
  source: string;
  format: SourceFormat;
  hash?: string;
  draftId?: number;
  /** The draft's revision when it was read (drafts only). */
  draftRevision?: number;
}

/** Loads the IR and source a reference names (a bare policy id: the latest version). */
export async function loadRef(deps: AppDeps, ref: Ref, path: string): Promise<Loaded> {
  if (ref.kind === 'draft') {
    const d = await deps.store.draft(ref.id);
    if (!d) throw ApiError.of(404, 'draft.not-found', [{ path, message: { zh: `草稿 ${ref.id}`, en: `draft ${ref.id}` } }]);
    const r = deps.policies.compile(d.source, d.format, `draft:${d.id}`);
    if (!r.value || hasErrors(r.diagnostics)) throw ApiError.of(422, 'draft.has-errors', diagnosticDetails(r.diagnostics));
    return { label: `draft:${d.id}`, ir: r.value, source: d.source, format: d.format, draftId: d.id, draftRevision: d.revision };
  }
  await deps.policies.ensure(ref.policy, ref.version);
  const versions = deps.policies.records().filter((v) => v.policyId === ref.policy);
  if (versions.length === 0) throw notFoundPolicy(ref.policy, path);
  const rec = ref.version
    ? versions.find((v) => v.version === ref.version)
    : versions.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)).at(-1);
  if (!rec) throw notFoundVersion(ref.policy, ref.version!, path);
  return { label: `${rec.policyId}@${rec.version}`, ir: rec.ir, source: rec.source, format: rec.format, hash: rec.hash };
}

/** Resolves a reference for evaluation (base merged in) on `asOf`. */
export async function resolveRef(deps: AppDeps, ref: Ref, asOf: string, path: string): Promise<ResolvedPolicyLike> {
  if (ref.kind === 'draft') return (await resolveDraft(deps, ref.id, asOf, path)).resolved;
  await deps.policies.ensure(ref.policy, ref.version);
  return resolvePublished(deps, ref.policy, ref.version, asOf, path);
}

/**
 * A draft compiled and resolved on `asOf` against the published library, with the marker its
 * logged decisions carry (id, revision read, hash of the draft's own IR).
 */
export async function resolveDraft(
  deps: AppDeps,
  id: number,
  asOf: string,
  path: string,
): Promise<{ resolved: ResolvedPolicyLike; draft: DraftMarker }> {
  const loaded = await loadRef(deps, { kind: 'draft', id }, path);
  // A scratch library: the published versions plus the draft, so a draft variant finds its base.
  const lib = deps.engine.newLibrary();
  for (const v of deps.policies.records()) {
    if (!(v.policyId === loaded.ir.id && v.version === loaded.ir.version)) lib.add(v.ir);
  }
  lib.add(loaded.ir);
  const r = lib.resolve(loaded.ir.id, { version: loaded.ir.version, asOf });
  if (!r.value) throw ApiError.of(422, 'policy.unresolvable', diagnosticDetails(r.diagnostics));
  return { resolved: r.value, draft: { id, revision: loaded.draftRevision!, hash: deps.engine.policyHash(loaded.ir) } };
}

export function resolvePublished(deps: AppDeps, policy: string, version: string | undefined, asOf: string, path: string): ResolvedPolicyLike {
  const versions = deps.policies.records().filter((v) => v.policyId === policy);
  if (versions.length === 0) throw notFoundPolicy(policy, path);
  if (version && !versions.some((v) => v.version === version)) throw notFoundVersion(policy, version, path);
  const r = deps.policies.library.resolve(policy, { version, asOf });
  if (!r.value) throw ApiError.of(422, 'policy.unresolvable', diagnosticDetails(r.diagnostics));
  return r.value;
}

function notFoundPolicy(policy: string, path: string): ApiError {
  const d: ErrorDetail = { path, message: { zh: `没有政策 ${policy}`, en: `no policy ${policy}` } };
  return ApiError.of(404, 'policy.not-found', [d]);
}

function notFoundVersion(policy: string, version: string, path: string): ApiError {
  const d: ErrorDetail = { path, message: { zh: `政策 ${policy} 没有版本 ${version}`, en: `policy ${policy} has no version ${version}` } };
  return ApiError.of(404, 'policy.version-not-found', [d]);
}
