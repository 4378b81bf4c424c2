/**
 * Loading a folder of policy files into a library (node only). Variants need their base to
 * compile, so files whose base is not yet in the library are retried after the others, until a
 * round makes no progress.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../../dsl/diagnostics.ts';
import { compileSource } from '../ir/compile.ts';
import type { PolicyIR, PolicyRef } from '../ir/types.ts';
import { PolicyLibrary } from './library.ts';

export interface LoadedFile {
  file: string;
  ir?: PolicyIR;
  diagnostics: Diagnostic[];
}

const POLICY_FILE = /\.policy(\.ya?ml)?$/;

async function policyFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules' && !e.name.startsWith('.')) await walk(p);
      } else if (POLICY_FILE.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** The diagnostic lowering reports when `extends` names a policy it cannot find. */
const UNREACHABLE_BASE = 'ir.unreachable-extends';

export async function loadPolicyDir(dir: string): Promise<{ library: PolicyLibrary; files: LoadedFile[] }> {
  const library = new PolicyLibrary();
  const files = await policyFiles(dir);
  const texts = new Map<string, string>();
  for (const f of files) texts.set(f, await readFile(f, 'utf8'));
  // For compiling a variant, its base: a pinned version, else the latest-starting one.
  const resolveBase = (ref: PolicyRef): PolicyIR | undefined => {
    if (ref.version !== undefined) return library.get(ref.policy, ref.version);
    const versions = library.versions(ref.policy);
    return versions[versions.length - 1];
  };
  const results = new Map<string, LoadedFile>();
  let pending = files;
  for (;;) {
    const waiting: string[] = [];
    for (const file of pending) {
      const compiled = compileSource(texts.get(file)!, { file, resolveBase });
      const result: LoadedFile = { file, diagnostics: compiled.diagnostics };
      if (compiled.value) {
        result.ir = compiled.value;
        result.diagnostics = [...result.diagnostics, ...library.add(compiled.value)];
      } else if (compiled.diagnostics.some((d) => d.code === UNREACHABLE_BASE)) {
        waiting.push(file);
      }
      results.set(file, result);
    }
    if (waiting.length === 0 || waiting.length === pending.length) break;
    pending = waiting;
  }
  return { library, files: files.map((f) => results.get(f)!) };
}
