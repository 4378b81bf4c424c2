/**
 * Decisions computed in the browser, for the Try page's instant preview: the policy's signed
 * bundle (its versions and every base they extend, as data) is fetched once per policy, resolved
 * as the server resolves it, and decided by the same generated evaluator the server runs
 * (engine/compiled). Nothing is logged; the server's answer (the Evaluate button) stays the record.
 */
import { compilePolicy, type CompiledPolicy } from '../../engine/compiled/index.ts';
import type { Decision } from '../../engine/evaluate/types.ts';
import type { PolicyIR } from '../../engine/ir/types.ts';
import { PolicyLibrary } from '../../engine/library/library.ts';
import { api } from './context.ts';

/** The parts of a bundle (server/bundles) the preview reads; the signature is the server's word for systems, not needed here. */
interface BundleBody {
  bundle: { versions: { ir: unknown }[]; bases: { ir: unknown }[] };
}

export interface Preview {
  decision: Decision;
  /** Whether generated code decided (false where the browser forbids it: the interpreter did). */
  generated: boolean;
  /** Microseconds the decision took in this browser. */
  micros: number;
}

const libraries = new Map<string, Promise<PolicyLibrary | undefined>>();
/** By policy, version and hash: a resolve gives a new object each time, and compiling is the slow part. */
const compiled = new Map<string, CompiledPolicy>();

function libraryOf(policy: string): Promise<PolicyLibrary | undefined> {
  let p = libraries.get(policy);
  if (!p) {
    p = api
      .get<BundleBody>(`/bundles/${policy.split('/').map(encodeURIComponent).join('/')}`)
      .then((b) => {
        const lib = new PolicyLibrary();
        for (const v of [...b.bundle.bases, ...b.bundle.versions]) lib.add(v.ir as PolicyIR);
        return lib;
      })
      // No bundle for this person (a role that may not evaluate) or this policy: no preview.
      .catch(() => undefined);
    libraries.set(policy, p);
  }
  return p;
}

/** Forgets fetched bundles (after a publish, say), so the next preview reads the current ones. */
export function forgetPreviews(): void {
  libraries.clear();
  compiled.clear();
}

/**
 * Decides `facts` in the browser for a published policy (and version, or the one in force on
 * `asOf`); undefined when no bundle can be had or the version does not resolve.
 */
export async function preview(policy: string, version: string | undefined, asOf: string, facts: unknown): Promise<Preview | undefined> {
  const lib = await libraryOf(policy);
  const resolved = lib?.resolve(policy, { asOf, ...(version ? { version } : {}) }).value;
  if (!resolved) return undefined;
  const key = `${policy}\u0000${resolved.stamp.version}\u0000${resolved.stamp.hash}`;
  let c = compiled.get(key);
  if (!c) compiled.set(key, (c = compilePolicy(resolved)));
  const started = performance.now();
  const decision = c.decide(facts, { asOf });
  return { decision, generated: c.generated, micros: Math.round((performance.now() - started) * 1000) };
}
