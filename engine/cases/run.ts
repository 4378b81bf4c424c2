/**
 * Runs the decision cases of one cases file against a policy library.
 */
import { parse as parseYaml } from 'yaml';
import type { PolicyLibrary } from '../index.ts';
import { evaluate } from '../index.ts';
import { checkDecision } from './check.ts';
import { parseDate } from '../values/dates.ts';
import type { CasesFile, DecisionCase, Want } from './types.ts';

export interface CaseResult {
  file: string;
  index: number;
  note: string;
  policy: string;
  /** Empty when the case passes. */
  problems: string[];
}

/** Reads a cases file; structural problems come back as messages rather than exceptions. */
export function readCasesFile(text: string): { file?: CasesFile; problems: string[] } {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    return { problems: [`not valid YAML: ${(e as Error).message}`] };
  }
  const problems: string[] = [];
  if (!isObject(data) || !Array.isArray(data.cases)) {
    return { problems: ['a cases file needs a top-level `cases:` list (see docs/language.md, "Decision cases")'] };
  }
  if (data.policy !== undefined && typeof data.policy !== 'string') problems.push('`policy` must be a policy id string');
  if (data.policies !== undefined && !(Array.isArray(data.policies) && data.policies.every((p) => typeof p === 'string'))) {
    problems.push('`policies` must be a list of policy ids');
  }
  data.cases.forEach((c: unknown, i: number) => {
    const where = `cases[${i}]`;
    if (!isObject(c)) return problems.push(`${where}: each case is a mapping with note, asOf, facts, want`);
    if (typeof c.note !== 'string') problems.push(`${where}: \`note\` (a sentence saying what the case shows) is required`);
    if (!isDate(c.asOf)) problems.push(`${where}: \`asOf\` must be a date like 2018-06-30`);
    if (!isObject(c.facts)) problems.push(`${where}: \`facts\` must be a mapping of fact names to values`);
    if (!isObject(c.want)) problems.push(`${where}: \`want\` must be a mapping (fired, notFired, undetermined, computed, …)`);
    return undefined;
  });
  if (problems.length) return { problems };
  // YAML turns unquoted dates into strings only with the core schema; normalise anyway.
  const file = data as unknown as CasesFile;
  for (const c of file.cases) c.asOf = normalizeDate(c.asOf);
  return { file, problems };
}

export async function runCases(
  file: CasesFile,
  opts: { fileName: string; library: PolicyLibrary; defaultPolicy?: string },
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const [index, c] of file.cases.entries()) {
    const targets = casePolicies(file, c, opts.defaultPolicy);
    if (!targets.length) {
      results.push({ file: opts.fileName, index, note: c.note, policy: '?', problems: ['no policy: name it with `policy:` in the file (the folder holds none or several)'] });
      continue;
    }
    for (const policyId of targets) {
      const want = wantFor(file, c, policyId);
      results.push({ file: opts.fileName, index, note: c.note, policy: policyId, problems: await runOne(opts.library, policyId, c, want) });
    }
  }
  return results;
}

async function runOne(library: PolicyLibrary, policyId: string, c: DecisionCase, want: Want | undefined): Promise<string[]> {
  if (!want) return [`want has no entry for ${policyId}`];
  const resolved = library.resolve(policyId, { asOf: c.asOf });
  if (!resolved.value) {
    return resolved.diagnostics.map((d) => `${d.code}: ${d.message.en}`);
  }
  const decision = await evaluate(resolved.value, c.facts, { asOf: c.asOf });
  return checkDecision(decision, want);
}

function casePolicies(file: CasesFile, c: DecisionCase, defaultPolicy: string | undefined): string[] {
  if (file.policies?.length) return file.policies;
  const one = c.policy ?? file.policy ?? defaultPolicy;
  return one ? [one] : [];
}

function wantFor(file: CasesFile, c: DecisionCase, policyId: string): Want | undefined {
  if (file.policies?.length) return (c.want as Record<string, Want>)[policyId];
  return c.want as Want;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isDate(x: unknown): boolean {
  return (typeof x === 'string' && parseDate(x) !== undefined) || x instanceof Date;
}

function normalizeDate(x: unknown): string {
  return x instanceof Date ? x.toISOString().slice(0, 10) : String(x);
}
