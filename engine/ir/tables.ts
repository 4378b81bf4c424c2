/**
 * Decision tables and scorecards desugared into the plain surface forms the rest of lowering
 * knows: rules, definitions and `complete` declarations. Nothing downstream (evaluators, SQL,
 * analysis, diff, coverage) learns about tables; each rule keeps `from` (its table and row) for
 * display. See docs/language.md, "Decision tables and scorecards".
 *
 * - A row's condition is the conjunction of its cells applied to their columns (`any` adds
 *   nothing; a row of `any`s is `true`).
 * - `hit unique` and `hit collect`: row i fires when its condition holds. `hit first`: row i fires
 *   when its condition holds and no earlier row's does (the definition `<table>.none.<i-1>`, a
 *   chain, so the IR grows linearly with the rows); Kleene logic makes an earlier row that is
 *   undetermined leave every later row that could hit undetermined, as it should.
 * - A row's `gives` is a computed value named after the table; without `then` the row's outcome
 *   is a `computation` titled after the table.
 * - `hit collect <agg>` adds a definition named after the table (so other rules can use the
 *   result) and a rule of that id that reports it: sum = Σ (if row then value else 0), count =
 *   Σ (if row then 1 else 0), both always fire; min/max (literal values only) = the first row that
 *   holds in value order, firing when some row holds.
 * - A scorecard's indicator is a first-hit table whose rows give points; its score is a definition
 *   named after the indicator (0 when no row holds), the total a definition named after the
 *   scorecard, reported by a rule of that id, and the grades a first-hit table over the total whose
 *   rows compute `grade`. A missing fact leaves its indicator, the total and every grade row
 *   undetermined (no interval reasoning over the bands).
 */
import type { CellAst, CitationAst, CompleteAst, DefinitionAst, ExprAst, OutcomeAst, PolicyAst, RuleAst, TableRowAst } from '../../dsl/ast.ts';
import type { Diagnostic } from '../../dsl/diagnostics.ts';
import type { RuleProvenance } from './types.ts';
import { diag } from './messages.ts';

export interface Desugared {
  /** The policy with its tables and scorecards replaced by rules, definitions and `complete`s. */
  ast: PolicyAst;
  /** Provenance of each rule that came from a table. */
  from: Map<RuleAst, RuleProvenance>;
  diagnostics: Diagnostic[];
}

const HITS = ['unique', 'first', 'collect'] as const;
const COLLECT_AGGREGATES = ['sum', 'min', 'max', 'count'];

/** The test a cell puts on its column, or undefined for `any`. */
export function cellTest(column: ExprAst, c: CellAst): ExprAst | undefined {
  const loc = c.loc;
  switch (c.op) {
    case 'any':
      return undefined;
    case 'between':
      return { type: 'between', value: column, low: c.low, high: c.high, lowInclusive: c.lowInclusive, highInclusive: c.highInclusive, loc };
    case 'in':
      return { type: 'in', value: column, options: c.options, loc };
    case 'not in':
      return { type: 'in', value: column, options: c.options, negated: true, loc };
    default:
      return { type: 'compare', op: c.op, left: column, right: c.value, loc };
  }
}

function and(args: ExprAst[], loc: ExprAst['loc']): ExprAst {
  // A row of `any`s is `true`; as one conjunct among others it adds nothing.
  const flat = args.flatMap((a) => (a.type === 'and' ? a.args : [a])).filter((a, _, all) => !(all.length > 1 && a.type === 'boolean' && a.value));
  if (flat.length === 0) return { type: 'boolean', value: true, loc };
  return flat.length === 1 ? flat[0] : { type: 'and', args: flat, loc };
}

/** The zero a sum of these values starts from: of the first literal's kind, else a plain 0. */
function zeroLike(values: ExprAst[]): ExprAst {
  for (const v of values) {
    if (v.type === 'money') return { type: 'money', yuan: 0 };
    if (v.type === 'percent') return { type: 'percent', value: 0 };
    if (v.type === 'number') return { type: 'number', value: 0, integer: true };
  }
  return { type: 'number', value: 0, integer: true };
}

function literalValue(e: ExprAst): number | undefined {
  if (e.type === 'number' || e.type === 'percent') return e.value;
  if (e.type === 'money') return e.yuan;
  return undefined;
}

/** Σ terms as a balanced tree: a long table stays within the nesting limit (MAX_DEPTH). */
function sum(terms: ExprAst[], loc: ExprAst['loc']): ExprAst {
  if (terms.length === 1) return terms[0]!;
  const mid = Math.ceil(terms.length / 2);
  return { type: 'arith', op: '+', left: sum(terms.slice(0, mid), loc), right: sum(terms.slice(mid), loc), loc };
}

/** How many `if`s an if-chain nests before its tail becomes a definition (MAX_DEPTH is 32). */
const CHAIN_STEP = 8;

interface TableLike {
  /** Id prefix of the row rules (`逾期分级`, `考核.成效`). */
  prefix: string;
  /** Name of the value rows give, and what messages call the table. */
  name: string;
  title: string;
  titleEn?: string;
  columns: ExprAst[];
  rows: TableRowAst[];
  loc: ExprAst['loc'];
  from: Omit<RuleProvenance, 'row'>;
}

export function desugarTables(ast: PolicyAst): Desugared {
  const from = new Map<RuleAst, RuleProvenance>();
  const diagnostics: Diagnostic[] = [];
  if (!ast.tables?.length && !ast.scorecards?.length) return { ast, from, diagnostics };
  const rules: RuleAst[] = [];
  const definitions: DefinitionAst[] = [];
  const complete: CompleteAst[] = [];

  const rowId = (r: TableRowAst, i: number) => r.id ?? String(i + 1);

  /**
   * `if c0 then v0 else if c1 then v1 … else last`; every CHAIN_STEP steps the rest is the
   * definition `<name>.from.<k>` (the value from row k on), so no expression nests too deep.
   */
  const ifChain = (name: string, conds: ExprAst[], values: ExprAst[], last: ExprAst, locs: ExprAst['loc'][]): ExprAst => {
    let tail = last;
    for (let k = conds.length - 1; k >= 0; k--) {
      const steps = conds.length - 1 - k;
      if (steps > 0 && steps % CHAIN_STEP === 0) {
        definitions.push({ name: `${name}.from.${k + 1}`, expr: tail, loc: locs[k + 1] });
        tail = { type: 'name', name: `${name}.from.${k + 1}`, loc: locs[k + 1] };
      }
      tail = { type: 'if', cond: conds[k]!, then: values[k]!, else: tail, loc: locs[k] };
    }
    return tail;
  };

  /** Each row's condition (cells on columns), reporting rows whose cell count is off. */
  const conditions = (t: TableLike): ExprAst[] =>
    t.rows.map((r, i) => {
      if (r.cells.length !== t.columns.length) {
        diagnostics.push(diag('ir.table-cells', { table: t.name, row: rowId(r, i), cells: r.cells.length, columns: t.columns.length }, r.loc));
      }
      const tests = r.cells.flatMap((c, k) => {
        const col = t.columns[k];
        const test = col ? cellTest(col, c) : undefined;
        return test ? [test] : [];
      });
      return and(tests, r.loc);
    });

  /** One rule per row; `first` adds "and no earlier row". Returns the rules' ids. */
  const rowRules = (t: TableLike, conds: ExprAst[], hit: RuleProvenance['hit'], givesName: string, givesLabel?: { zh: string; en?: string }): string[] => {
    if (t.rows.length === 0) diagnostics.push(diag('ir.table-no-rows', { table: t.name }, t.loc));
    // First hit: "no earlier row holds" is a chain of definitions, `<prefix>.none.<i>` (rows
    // 1..i do not hold) = `<prefix>.none.<i-1>` and not row i, so a table's size stays linear in
    // its rows (repeating every earlier row's cells in each row made a 200-row table 5.7 MB of IR).
    // Kleene `and` is associative, missing facts included, so this is the conjunction it replaces.
    const none = (i: number): ExprAst => ({ type: 'name', name: `${t.prefix}.none.${i}`, loc: t.rows[i]?.loc });
    if (hit === 'first') {
      for (let i = 1; i < t.rows.length; i++) {
        const notRow: ExprAst = { type: 'not', arg: conds[i - 1]!, loc: t.rows[i - 1]!.loc };
        definitions.push({
          name: `${t.prefix}.none.${i}`,
          label: `${t.title}:前 ${i} 行均不成立`,
          labelEn: `rows 1–${i} of ${t.titleEn ?? t.title} do not hold`,
          expr: i === 1 ? notRow : and([none(i - 1), notRow], t.rows[i - 1]!.loc),
          loc: t.rows[i - 1]!.loc,
        });
      }
    }
    return t.rows.map((r, i) => {
      const id = `${t.prefix}.${rowId(r, i)}`;
      const when = hit === 'first' && i > 0 ? and([conds[i]!, none(i)], r.loc) : conds[i]!;
      const base: OutcomeAst = r.then ?? { kind: 'computation', message: { zh: t.title, ...(t.titleEn !== undefined ? { en: t.titleEn } : {}) }, consequences: [], computed: [] };
      const computed = r.gives
        ? [{ name: givesName, ...(givesLabel ? { label: givesLabel.zh } : {}), ...(givesLabel?.en !== undefined ? { labelEn: givesLabel.en } : {}), expr: r.gives, loc: r.gives.loc }, ...base.computed]
        : base.computed;
      const rule: RuleAst = {
        id,
        title: `${t.title}·${rowId(r, i)}`,
        ...(t.titleEn !== undefined ? { titleEn: `${t.titleEn} · ${rowId(r, i)}` } : {}),
        ...(r.cites ? { cites: r.cites } : {}),
        lets: [],
        when,
        then: { ...base, computed },
        loc: r.loc,
      };
      rules.push(rule);
      from.set(rule, { ...t.from, row: i + 1 });
      return id;
    });
  };

  /** The rule reporting a total: cites the first row that cites. */
  const totalRule = (id: string, title: string, titleEn: string | undefined, cites: CitationAst | undefined, when: ExprAst, loc: ExprAst['loc'], prov: RuleProvenance) => {
    const rule: RuleAst = {
      id,
      title,
      ...(titleEn !== undefined ? { titleEn } : {}),
      ...(cites ? { cites } : {}),
      lets: [],
      when,
      then: {
        kind: 'computation',
        message: { zh: title, ...(titleEn !== undefined ? { en: titleEn } : {}) },
        consequences: [],
        computed: [{ name: id, label: title, ...(titleEn !== undefined ? { labelEn: titleEn } : {}), expr: { type: 'name', name: id, loc }, loc }],
      },
      loc,
    };
    rules.push(rule);
    from.set(rule, prov);
  };

  const needGives = (name: string, rows: TableRowAst[]): boolean => {
    let ok = true;
    rows.forEach((r, i) => {
      if (!r.gives) {
        ok = false;
        diagnostics.push(diag('ir.table-needs-gives', { table: name, row: rowId(r, i) }, r.loc));
      }
    });
    return ok;
  };

  for (const t of ast.tables ?? []) {
    const hitOk = (HITS as readonly string[]).includes(t.hit) && (t.hit === 'collect' ? COLLECT_AGGREGATES.includes(t.aggregate ?? '') : t.aggregate === undefined);
    if (!hitOk) diagnostics.push(diag('ir.table-hit', { table: t.id, hit: t.hit, ...(t.aggregate !== undefined ? { aggregate: t.aggregate } : {}) }, t.loc));
    const hit = (hitOk ? t.hit : 'first') as RuleProvenance['hit'];
    const like: TableLike = { prefix: t.id, name: t.id, title: t.title, titleEn: t.titleEn, columns: t.columns, rows: t.rows, loc: t.loc, from: { table: t.id, hit } };
    const conds = conditions(like);
    const ids = rowRules(like, conds, hit, t.id, { zh: t.title, en: t.titleEn });
    if (t.complete !== undefined) complete.push({ rules: ids, reason: t.complete, loc: t.loc });
    if (hit !== 'collect' || !needGives(t.id, t.rows)) continue;
    const agg = t.aggregate;
    const gives = t.rows.map((r) => r.gives as ExprAst);
    let total: ExprAst;
    let when: ExprAst = { type: 'boolean', value: true, loc: t.loc };
    if (agg === 'sum' || agg === 'count') {
      const zero = agg === 'count' ? ({ type: 'number', value: 0, integer: true } as ExprAst) : zeroLike(gives);
      const terms = conds.map((c, i): ExprAst => ({ type: 'if', cond: c, then: agg === 'count' ? { type: 'number', value: 1, integer: true } : gives[i], else: zero, loc: t.rows[i].loc }));
      total = terms.length ? sum(terms, t.loc) : zero;
    } else {
      const values = gives.map(literalValue);
      const bad = values.findIndex((v) => v === undefined);
      if (bad >= 0) {
        diagnostics.push(diag('ir.table-literal-gives', { table: t.id, row: rowId(t.rows[bad], bad) }, t.rows[bad].loc));
        continue;
      }
      // The first row that holds in value order is the min (max): ascending (descending) order.
      const order = conds.map((_, i) => i).sort((a, b) => (agg === 'min' ? values[a]! - values[b]! : values[b]! - values[a]!));
      const lastRow = order[order.length - 1];
      total =
        lastRow === undefined
          ? zeroLike([])
          : ifChain(
              t.id,
              order.slice(0, -1).map((i) => conds[i]!),
              order.slice(0, -1).map((i) => gives[i]!),
              gives[lastRow]!,
              order.map((i) => t.rows[i]!.loc),
            );
      when = conds.length === 1 ? conds[0] : { type: 'or', args: conds, loc: t.loc };
    }
    definitions.push({ name: t.id, label: t.title, ...(t.titleEn !== undefined ? { labelEn: t.titleEn } : {}), expr: total, loc: t.loc });
    totalRule(t.id, t.title, t.titleEn, t.rows.find((r) => r.cites)?.cites, when, t.loc, { table: t.id, hit: 'collect' });
  }

  for (const s of ast.scorecards ?? []) {
    const scores: ExprAst[] = [];
    for (const ind of s.indicators) {
      const like: TableLike = {
        prefix: `${s.id}.${ind.id}`,
        name: ind.id,
        title: ind.label,
        titleEn: ind.labelEn,
        columns: ind.columns,
        rows: ind.rows,
        loc: ind.loc,
        from: { table: s.id, part: ind.id, hit: 'first' },
      };
      const conds = conditions(like);
      rowRules(like, conds, 'first', ind.id, { zh: ind.label, en: ind.labelEn });
      if (!needGives(ind.id, ind.rows)) continue;
      const gives = ind.rows.map((r) => r.gives as ExprAst);
      // First hit by construction: the if-chain takes the first row that holds; no row → 0 points.
      const score = ifChain(`${s.id}.${ind.id}`, conds, gives, zeroLike(gives), ind.rows.map((r) => r.loc));
      definitions.push({ name: ind.id, label: ind.label, ...(ind.labelEn !== undefined ? { labelEn: ind.labelEn } : {}), expr: score, loc: ind.loc });
      scores.push({ type: 'name', name: ind.id, loc: ind.loc });
    }
    const total: ExprAst = scores.length ? sum(scores, s.loc) : { type: 'number', value: 0, integer: true };
    definitions.push({ name: s.id, label: s.title, ...(s.titleEn !== undefined ? { labelEn: s.titleEn } : {}), expr: total, loc: s.loc });
    const firstCites = s.indicators.flatMap((i) => i.rows).find((r) => r.cites)?.cites;
    totalRule(s.id, s.title, s.titleEn, firstCites, { type: 'boolean', value: true, loc: s.loc }, s.loc, { table: s.id, hit: 'collect' });
    if (s.grades.length > 0) {
      const like: TableLike = {
        prefix: s.id,
        name: `${s.id}.grades`,
        title: s.title,
        titleEn: s.titleEn,
        columns: [{ type: 'name', name: s.id, loc: s.loc }],
        rows: s.grades,
        loc: s.loc,
        from: { table: s.id, part: 'grades', hit: 'first' },
      };
      needGives(like.name, s.grades);
      rowRules(like, conditions(like), 'first', 'grade', { zh: '等级', en: 'grade' });
    }
  }

  return {
    ast: {
      ...ast,
      definitions: [...ast.definitions, ...definitions],
      rules: [...ast.rules, ...rules],
      complete: [...(ast.complete ?? []), ...complete],
      tables: undefined,
      scorecards: undefined,
    },
    from,
    diagnostics,
  };
}
