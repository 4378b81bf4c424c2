/**
 * Nesting limits, enforced where input enters (DSL parser, YAML reader, IR and facts JSON, the
 * server's JSON bodies) so that every later stage, most of which recurse over the tree, only
 * ever sees bounded depth. A stack overflow is then impossible by construction instead of being
 * caught here and there. docs/language.md ("Nesting limit") documents the numbers.
 *
 * Every walk here is iterative: these functions are what stands between deep input and the
 * recursive stages, so they must not recurse themselves.
 */
import type { CellAst, ExprAst, PolicyAst, TableRowAst, TypeAst } from './ast.ts';

/**
 * How deep an expression tree, and a `list of { … }` type, may nest. Every node is a level: an
 * operator, call, `not`, minus sign, `if` and the name or literal at the bottom (`a + b + c` is
 * three deep: two `+` and a leaf). The policies in policies/ nest at most 6.
 */
export const MAX_DEPTH = 32;

/**
 * How many parentheses, `not`s, minus signs, `if`s, calls, `[ … ]` lists and `list of` the parser
 * lets be open at once. Printing a tree spends at most two of these per node (`not (…)`), so any
 * tree within MAX_DEPTH prints to text that parses again; and it is far below what Chevrotain's
 * recursive descent survives on Node's default stack (about 150 parentheses).
 */
export const MAX_PARSE_DEPTH = 2 * MAX_DEPTH + 2;

/**
 * How deep a JSON or YAML document may nest: IR spends up to four levels per list type
 * (`facts[i].type.fields[j]`) and two per expression (`args[i]`), plus a few for the envelope.
 */
export const MAX_DOC_DEPTH = 4 * MAX_DEPTH + 16;

/** The deepest expression node of `e`, counting `e` as 1, and that node: an explicit stack, no recursion. */
export function exprDepth(e: ExprAst): { depth: number; deepest: ExprAst } {
  let best = { depth: 0, deepest: e };
  const stack: [ExprAst, number][] = [[e, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (d > best.depth) best = { depth: d, deepest: n };
    for (const c of exprChildren(n)) stack.push([c, d + 1]);
  }
  return best;
}

function exprChildren(e: ExprAst): ExprAst[] {
  switch (e.type) {
    case 'not':
    case 'neg':
      return [e.arg];
    case 'and':
    case 'or':
      return e.args;
    case 'compare':
    case 'arith':
      return [e.left, e.right];
    case 'in':
      return [e.value, ...e.options];
    case 'between':
      return [e.value, e.low, e.high];
    case 'if':
      return [e.cond, e.then, e.else];
    case 'call':
      return e.where ? [...e.args, e.where] : e.args;
    default:
      return [];
  }
}

/** How many `list of` a type nests (a list of scalars is 1), without recursion. */
export function listDepth(t: TypeAst): number {
  let best = 0;
  const stack: [TypeAst, number][] = [[t, 0]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (n.kind !== 'list') {
      best = Math.max(best, d);
      continue;
    }
    best = Math.max(best, d + 1);
    for (const f of n.fields) stack.push([f.type, d + 1]);
  }
  return best;
}

/** The expressions inside a table cell. */
export function cellExprs(c: CellAst): ExprAst[] {
  if (c.op === 'any') return [];
  if (c.op === 'between') return [c.low, c.high];
  if ('options' in c) return c.options;
  return [c.value];
}

/** Every expression written in the policy's decision tables and scorecards (columns, cells, outputs, outcomes). */
export function tableExprs(p: PolicyAst): ExprAst[] {
  const ofRows = (rows: TableRowAst[]): ExprAst[] =>
    rows.flatMap((r) => [
      ...r.cells.flatMap(cellExprs),
      ...(r.gives ? [r.gives] : []),
      ...(r.then?.computed.map((c) => c.expr) ?? []),
    ]);
  return [
    ...(p.tables ?? []).flatMap((t) => [...t.columns, ...ofRows(t.rows)]),
    ...(p.scorecards ?? []).flatMap((s) => [...s.indicators.flatMap((i) => [...i.columns, ...ofRows(i.rows)]), ...ofRows(s.grades)]),
  ];
}

/** Every expression and type of a policy tree that is nested deeper than MAX_DEPTH: the node to point at. */
export function tooDeepInPolicy(p: PolicyAst): { loc: ExprAst['loc']; what: 'expression' | 'list' } | undefined {
  const exprs: ExprAst[] = [
    ...p.parameters.flatMap((x) => x.values.map((v) => v.value)),
    ...p.definitions.map((d) => d.expr),
    ...p.rules.flatMap((r) => [...r.lets.map((l) => l.expr), r.when, ...r.then.computed.map((c) => c.expr)]),
    ...tableExprs(p),
  ];
  for (const e of exprs) {
    if (!e) continue;
    const { depth, deepest } = exprDepth(e);
    if (depth > MAX_DEPTH) return { loc: deepest.loc ?? e.loc, what: 'expression' };
  }
  for (const f of [...p.facts, ...p.parameters]) {
    if (listDepth(f.type) > MAX_DEPTH) return { loc: f.loc, what: 'list' };
  }
  return undefined;
}

/**
 * The JSON pointer of the first value nested deeper than `max` arrays/objects (the top value is
 * depth 1), or undefined. Iterative, so it is safe on input that would overflow `JSON.stringify`.
 */
export function jsonTooDeep(value: unknown, max = MAX_DOC_DEPTH): string | undefined {
  const stack: [unknown, number, string][] = [[value, 1, '']];
  while (stack.length > 0) {
    const [v, d, ptr] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) return ptr || '/';
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, d + 1, `${ptr}/${i}`]));
    else for (const [k, x] of Object.entries(v)) stack.push([x, d + 1, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`]);
  }
  return undefined;
}

/**
 * The offset in JSON text of the first `[` or `{` that opens a level deeper than `max`, or -1.
 * A scan of the text, so a body can be refused (with a position) before it is even parsed.
 */
export function jsonTextTooDeep(text: string, max = MAX_DOC_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return i;
    } else if (c === 93 /* ] */ || c === 125 /* } */) depth--;
  }
  return -1;
}
