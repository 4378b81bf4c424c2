/**
 * The analysis over a library: version periods per policy id, then each version analysed as the
 * evaluator reads it (merged with its base), reporting only what the version itself declares.
 */
import type { PolicyIR } from '../ir/types.ts';
import type { PolicyLibrary } from '../library/library.ts';
import { analyzePolicy } from './analyze.ts';
import type { AnalyzeOptions, Finding } from './types.ts';
import { unusedNames } from './usage.ts';
import { checkVersionPeriods, periodEnd } from './versions.ts';

export type LibraryAnalyzeOptions = Omit<AnalyzeOptions, 'source' | 'ownRules' | 'ownNames' | 'periodEnd'> & {
  /** Policy text by `id@version`, for line ranges. */
  sources?: ReadonlyMap<string, { text: string; file?: string }>;
  /** Only these `id@version` keys are analysed (version periods are still checked for their ids). */
  only?: ReadonlySet<string>;
};

/**
 * One version: merged with its base (as `PolicyLibrary.resolve` does for its first day), findings
 * only about its own rules and declarations, its period ending where the next version starts.
 */
export async function analyzeResolved(library: PolicyLibrary, ir: PolicyIR, opts: LibraryAnalyzeOptions = {}): Promise<Finding[]> {
  const resolved = library.resolve(ir.id, { version: ir.version, asOf: ir.effectiveFrom });
  const merged = resolved.value?.ir ?? ir;
  const source = opts.sources?.get(`${ir.id}@${ir.version}`);
  const end = periodEnd(library.versions(ir.id), ir);
  // A base declares facts for its variants (the shared finding facts): what they read is used.
  const alsoUsed = new Set<string>();
  for (const id of library.ids()) {
    for (const v of library.versions(id)) {
      if (v.extends?.policy !== ir.id) continue;
      const m = library.resolve(v.id, { version: v.version, asOf: v.effectiveFrom }).value?.ir;
      if (!m) continue;
      const unused = unusedNames(m);
      for (const n of [...m.facts.map((f) => f.name), ...m.parameters.map((p) => p.name), ...m.definitions.map((d) => d.name)]) {
        if (!unused.facts.includes(n) && !unused.params.includes(n) && !unused.defs.includes(n)) alsoUsed.add(n);
      }
    }
  }
  return analyzePolicy(merged, {
    ...opts,
    ...(source ? { source } : {}),
    ...(end !== undefined ? { periodEnd: end } : {}),
    alsoUsed,
    ownRules: new Set(ir.rules.map((r) => r.id)),
    ownNames: new Set([...ir.facts.map((f) => f.name), ...ir.parameters.map((p) => p.name), ...ir.definitions.map((d) => d.name)]),
  });
}

/** Every policy id's version periods, then every version (or those in `only`). */
export async function analyzeLibrary(library: PolicyLibrary, opts: LibraryAnalyzeOptions = {}): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const id of library.ids()) {
    const versions = library.versions(id);
    out.push(...checkVersionPeriods(versions));
    for (const v of versions) {
      if (opts.only && !opts.only.has(`${v.id}@${v.version}`)) continue;
      out.push(...(await analyzeResolved(library, v, opts)));
    }
  }
  return out;
}
