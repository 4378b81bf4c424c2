/** Building a policy library from folders, for the commands that need bases or ids. Node-only. */
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { loadPolicyDir } from '../node.ts';
import { PolicyLibrary, compileSource, type PolicyIR, type PolicyRef } from '../index.ts';
import type { Diagnostic } from '../../dsl/diagnostics.ts';
import { userDir, sourceFormat, STDIN } from './files.ts';

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

/** The diagnostic lowering reports when `extends` names a policy it cannot find. */
const UNREACHABLE_BASE = 'ir.unreachable-extends';

/**
 * The library a command works on: the policies of `libraryDir` (where `extends` finds bases),
 * with the policy files named on the command line added over them, so a named file is always
 * the version judged even when the library holds the same id and version. `files` are the named
 * files only, with their diagnostics. Bases are looked up among the named files first. `given`
 * holds texts already read (standard input).
 */
export async function loadNamed(named: string[], libraryDir?: string, given: ReadonlyMap<string, string> = new Map()): Promise<LoadedLibrary> {
  const reference = libraryDir ? await loadPolicyDir(libraryDir) : undefined;
  const fromReference = new Map((reference?.files ?? []).map((f) => [path.resolve(f.file), f]));
  const namedSet = new Set(named.map((f) => path.resolve(f)));
  const own = new PolicyLibrary(); // the named files, for bases first
  const results = new Map<string, LoadedLibrary['files'][number]>();
  for (const file of named) {
    const known = fromReference.get(path.resolve(file));
    if (known) {
      results.set(file, { ...known, file });
      if (known.ir) own.add(known.ir);
    }
  }
  const texts = new Map<string, string>();
  for (const file of named) if (!results.has(file)) texts.set(file, given.get(file) ?? (await readFile(file, 'utf8')));
  const compileRound = async (pending: string[], resolveBase: (ref: PolicyRef) => PolicyIR | undefined, last: boolean) => {
    const waiting: string[] = [];
    for (const file of pending) {
      const text = texts.get(file)!;
      const compiled = compileSource(text, { file: relative(file), format: sourceFormat(file, text), resolveBase });
      if (!compiled.value && !last && compiled.diagnostics.some((d) => d.code === UNREACHABLE_BASE)) {
        waiting.push(file);
        continue;
      }
      const diagnostics = compiled.value ? [...compiled.diagnostics, ...own.add(compiled.value)] : compiled.diagnostics;
      results.set(file, { file, ir: compiled.value, diagnostics });
    }
    return waiting;
  };
  const refLibrary = new PolicyLibrary();
  for (const f of reference?.files ?? []) if (f.ir) refLibrary.add(f.ir);
  const ownFirst = baseResolver(own);
  const thenLibrary = baseResolver(refLibrary);
  // Bases among the named files first; what they do not provide comes from the library.
  let pending = [...texts.keys()];
  for (const resolveBase of [ownFirst, (ref: PolicyRef) => ownFirst(ref) ?? thenLibrary(ref)]) {
    for (;;) {
      const waiting = await compileRound(pending, resolveBase, false);
      const stuck = waiting.length === pending.length;
      pending = waiting;
      if (waiting.length === 0 || stuck) break;
    }
  }
  await compileRound(pending, () => undefined, true); // report what is still unreachable
  const library = new PolicyLibrary();
  for (const f of reference?.files ?? []) if (f.ir && !namedSet.has(path.resolve(f.file))) library.add(f.ir);
  const files = named.map((f) => results.get(f)!);
  for (const f of files) if (f.ir) library.add(f.ir); // replacing a library version on purpose: no warning
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

/** A file name as the user would write it: relative to the folder they are in, when below it. */
export function relative(file: string): string {
  if (file === STDIN) return '<stdin>';
  const rel = path.relative(userDir(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * What to do when a base could not be found: the command line looks only among the files named
 * and in the library, never in folders it was not told about.
 */
export function unreachableBaseNote(diagnostics: readonly Diagnostic[], libraryDir: string | undefined): string | undefined {
  if (!diagnostics.some((d) => d.code === UNREACHABLE_BASE)) return undefined;
  const where = libraryDir ? relative(libraryDir) : '—';
  return (
    `基础政策在命令行给出的文件和政策库(${where})中查找:请同时给出基础政策文件,或用 --policies <目录> 指定它所在的目录\n` +
    `Bases are looked up among the files named and in the policy library (${where}): name the base's file too, or give --policies <dir> where it lives`
  );
}
