/**
 * Runs the decision cases of one cases file against a policy library.
 */
import { parse as parseYaml } from 'yaml';
import type { PolicyLibrary } from '../index.ts';
import { evaluate } from '../index.ts';
import { checkDecision } from './check.ts';
import { parseDate } from '../values/dates.ts';
import { nearest } from '../ir/fromAst.ts';
import type { CasesFile, DecisionCase, Want } from './types.ts';
import type { PolicyIR } from '../ir/types.ts';
import type { Decision } from '../evaluate/types.ts';

export interface CaseResult {
  file: string;
  index: number;
  note: string;
  policy: string;
  /** Empty when the case passes. */
  problems: string[];
  /** With `explain`: the version judged (merged) and its decision with the trace, for coverage. */
  judged?: { ir: PolicyIR; decision: Decision };
}

const FILE_KEYS = ['policy', 'policies', 'cases'];
const CASE_KEYS = ['note', 'asOf', 'facts', 'want', 'policy'];
const WANT_KEYS = ['status', 'fired', 'notFired', 'undetermined', 'suppressed', 'conflicts', 'factErrors', 'computed'];

/** Keys the schema does not know, each with the nearest known one when it looks like a typo. */
function unknownKeys(where: string, value: Record<string, unknown>, known: readonly string[], problems: string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    problems.push(`${where}: unknown key \`${key}\`${near ? ` — did you mean \`${near}\`?` : ''} (known: ${known.join(', ')})`);
  }
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
  unknownKeys('the file', data, FILE_KEYS, problems);
  const shared = Array.isArray(data.policies);
  data.cases.forEach((c: unknown, i: number) => {
    const where = `cases[${i}]`;
    if (!isObject(c)) return problems.push(`${where}: each case is a mapping with note, asOf, facts, want`);
    unknownKeys(where, c, CASE_KEYS, problems);
    // A misspelt expectation (`notfired`) would otherwise be ignored and the case pass untested.
    if (isObject(c.want)) {
      if (shared) for (const [id, w] of Object.entries(c.want)) isObject(w) && unknownKeys(`${where}.want.${id}`, w, WANT_KEYS, problems);
      else unknownKeys(`${where}.want`, c.want, WANT_KEYS, problems);
    }
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
  opts: { fileName: string; library: PolicyLibrary; defaultPolicy?: string; explain?: boolean },
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
      const run = await runOne(opts.library, policyId, c, want, opts.explain ?? false);
      results.push({ file: opts.fileName, index, note: c.note, policy: policyId, problems: run.problems, ...(run.judged ? { judged: run.judged } : {}) });
    }
  }
  return results;
}

async function runOne(
  library: PolicyLibrary,
  policyId: string,
  c: DecisionCase,
  want: Want | undefined,
  explain: boolean,
): Promise<{ problems: string[]; judged?: CaseResult['judged'] }> {
  if (!want) return { problems: [`want has no entry for ${policyId}`] };
  const resolved = library.resolve(policyId, { asOf: c.asOf });
  if (!resolved.value) {
    return { problems: resolved.diagnostics.map((d) => `${d.code}: ${d.message.en}`) };
  }
  // With a trace when coverage is asked for: which conditions each case saw true, false, undetermined.
  const decision = await evaluate(resolved.value, c.facts, { asOf: c.asOf, explain });
  return { problems: checkDecision(decision, want), ...(explain ? { judged: { ir: resolved.value.ir, decision } } : {}) };
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
