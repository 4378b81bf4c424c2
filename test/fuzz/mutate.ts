/**
 * Mutated policy texts and the pipeline they go through, shared by the fuzz test and
 * `npm run soak`. A mutation is what a hurried edit or a hostile client does to a file: cut,
 * duplicate, insert a token or a run of one, swap lines, change a character.
 */
import fc from 'fast-check';
import { formatPolicy, parsePolicySource, hasErrors, type Diagnostic } from '../../dsl/index.ts';
import { compileSource, evaluateSync, PolicyLibrary, printPolicy, validateIr, type PolicyIR } from '../../engine/index.ts';
import { compilePolicy } from '../../engine/compiled/index.ts';
import { compileSql } from '../../engine/sql/index.ts';
import { diffPolicies } from '../../engine/diff/index.ts';
import { unusedNames } from '../../engine/analysis/index.ts';

const TOKENS = ['(', ')', '[', ']', '{', '}', 'not ', '非 ', '-', '+', ' and ', ' or ', 'if ', ' then ', ' else ', '"', '“', '#', '\n', '  ', ':', ',', '1e999', '-0', '0.0000001', '2018-02-30', 'list of {', 'when ', 'rule ', 'policy ', '\u0000', '\u200b', '\ud800', 'ａ', '💩', '元', '%', 'as_of', 'sum(', 'count(', ' where ', ' between ', ' in [', '\t', '\r'];

export type Mutation =
  | { kind: 'cut'; at: number; len: number }
  | { kind: 'dup'; at: number; len: number; times: number }
  | { kind: 'insert'; at: number; token: string; times: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'char'; at: number; code: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('dup' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 60 }), times: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), token: fc.constantFrom(...TOKENS), times: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 400 })) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), code: fc.integer({ min: 0, max: 0xffff }) }),
);

export function mutate(text: string, ms: readonly Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const at = t.length === 0 ? 0 : m.kind === 'swap' ? 0 : m.at % (t.length + 1);
    switch (m.kind) {
      case 'cut':
        t = t.slice(0, at) + t.slice(at + m.len);
        break;
      case 'dup':
        t = t.slice(0, at) + t.slice(at, at + m.len).repeat(m.times) + t.slice(at);
        break;
      case 'insert':
        t = t.slice(0, at) + m.token.repeat(m.times) + t.slice(at);
        break;
      case 'swap': {
        const lines = t.split('\n');
        const a = m.a % lines.length;
        const b = m.b % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
        t = lines.join('\n');
        break;
      }
      case 'char':
        t = t.slice(0, at) + String.fromCharCode(m.code) + t.slice(at + 1);
        break;
    }
  }
  return t;
}

/**
 * Every stage a text goes through; throws only on a bug (an exception that is not a
 * diagnostic). Returns the diagnostics of compiling it, and how far it got.
 */
export function throughEveryStage(text: string, format: 'dsl' | 'yaml', original: PolicyIR | undefined): { diagnostics: Diagnostic[]; reached: string } {
  const parsed = parsePolicySource(text, { format });
  let reached = 'parse';
  if (parsed.value && !hasErrors(parsed.diagnostics)) {
    formatPolicy(parsed.value);
    reached = 'format';
  }
  const c = compileSource(text, { format });
  if (!c.value) return { diagnostics: c.diagnostics, reached };
  const ir = c.value;
  if (validateIr(JSON.parse(JSON.stringify(ir))).diagnostics.length > 0) throw new Error('compiled IR does not validate');
  printPolicy(ir, 'dsl');
  printPolicy(ir, 'yaml');
  if (original) diffPolicies(original, ir);
  unusedNames(ir);
  const lib = new PolicyLibrary();
  if (hasErrors(lib.add(ir))) return { diagnostics: c.diagnostics, reached: 'library' };
  const resolved = lib.resolve(ir.id, { asOf: ir.effectiveFrom });
  if (!resolved.value) return { diagnostics: c.diagnostics, reached: 'resolve' };
  const asOf = ir.effectiveFrom;
  evaluateSync(resolved.value, {}, { asOf });
  compilePolicy(resolved.value).decide({}, { asOf });
  compileSql([{ ir: resolved.value.ir, prefix: '' }], { dialect: 'duckdb', asOf });
  return { diagnostics: c.diagnostics, reached: 'sql' };
}
