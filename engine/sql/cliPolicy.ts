/**
 * Resolving the policy versions the `sql` and `simulate` commands name (node only): a policy id
 * looked up in the library, or a policy file (compiled over the library, so `extends` finds bases).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { compileSource, type ResolvedPolicy } from '../index.ts';
import { renderDiagnostic, hasErrors } from '../../dsl/index.ts';
import { loadLibraries, baseResolver, relative } from '../cli/library.ts';
import { userPath } from '../cli/files.ts';
import type { PolicyLibrary } from '../library/library.ts';

export const isPolicyFile = (s: string) => /\.policy(\.ya?ml)?$/.test(s) && existsSync(userPath(s));

/** The library of `--policies` (default ./policies), if the folder exists. */
export async function libraryFor(policiesDir: string | undefined): Promise<PolicyLibrary> {
  const dir = userPath(policiesDir ?? 'policies');
  const { library } = await loadLibraries(existsSync(dir) ? [dir] : []);
  return library;
}

/** Adds a policy file to the library; its id, or the rendered diagnostics. */
export async function addPolicyFile(library: PolicyLibrary, file: string): Promise<{ id: string; version: string } | { errors: string[] }> {
  const abs = userPath(file);
  const text = await readFile(abs, 'utf8');
  const compiled = compileSource(text, { file: relative(abs), resolveBase: baseResolver(library) });
  if (!compiled.value || hasErrors(compiled.diagnostics)) return { errors: compiled.diagnostics.map((d) => renderDiagnostic(d, text)) };
  library.add(compiled.value);
  return { id: compiled.value.id, version: compiled.value.version };
}

export function resolveOrErrors(library: PolicyLibrary, id: string, opts: { asOf: string; version?: string }): ResolvedPolicy | { errors: string[] } {
  const r = library.resolve(id, opts);
  if (r.value) return r.value;
  return { errors: r.diagnostics.map((d) => `${d.code}: ${d.message.zh} / ${d.message.en}${d.hint ? `\n  hint: ${d.hint.zh} / ${d.hint.en}` : ''}`) };
}

export function renderSqlDiagnostics(ds: readonly { code: string; message: { zh: string; en: string }; hint?: { zh: string; en: string } }[]): string {
  return ds.map((d) => `${d.code}: ${d.message.zh} / ${d.message.en}${d.hint ? `\n  hint: ${d.hint.zh} / ${d.hint.en}` : ''}`).join('\n');
}

export { path };
