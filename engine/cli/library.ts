/** Building a policy library from folders, for the commands that need bases or ids. Node-only. */
import path from 'node:path';
import { loadPolicyDir } from '../node.ts';
import { PolicyLibrary, type PolicyIR, type PolicyRef } from '../index.ts';
import type { Diagnostic } from '../../dsl/diagnostics.ts';

export interface LoadedLibrary {
  library: PolicyLibrary;
  files: { file: string; ir?: PolicyIR; diagnostics: Diagnostic[] }[];
}

/** Loads and merges every policy under the given roots. */
export async function loadLibraries(roots: string[]): Promise<LoadedLibrary> {
  const library = new PolicyLibrary();
  const files: LoadedLibrary['files'] = [];
  for (const root of roots) {
    const loaded = await loadPolicyDir(root);
    for (const f of loaded.files) {
      files.push(f);
      if (f.ir) library.add(f.ir);
    }
  }
  return { library, files };
}

/** A base resolver over a library: a pinned version, else the latest version of the base. */
export function baseResolver(library: PolicyLibrary): (ref: PolicyRef) => PolicyIR | undefined {
  return (ref) => {
    if (ref.version) return library.get(ref.policy, ref.version);
    const versions = library.versions(ref.policy);
    return versions[versions.length - 1];
  };
}

export function relative(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
