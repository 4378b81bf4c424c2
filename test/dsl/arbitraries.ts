/** fast-check generators of well-formed surface trees (no `loc`), for the round-trip properties. */
import fc from 'fast-check';
import type { CellAst, Comments, DefinitionAst, ExprAst, FactDeclAst, ParameterAst, PolicyAst, RuleAst, ScorecardAst, TableAst, TableRowAst, TypeAst } from '../../dsl/index.ts';

/** Names, including ones that start with a keyword spelling (`当年人数`, `index`, `notes`). */
export const nameArb = fc.constantFrom(
  'a',
  'b',
  'x1',
  '贷款金额',
  'npl_ratio',
  '第33条_1',
  '当年人数',
  '是否贫困户',
  '含税金额',
  'index',
  'notes',
  'orders',
  'enumerated',
  'rules',
  '否则x',
  '计算结果值',
  '_tmp',
  // Fact marks are not reserved: a fact (or anything else) may still be called so.
  'personal',
  '主体标识',
);

const textArb = fc.oneof(
  fc.constantFrom('', '不良贷款率超过红线', 'a "quoted" word', 'back\\slash', '“中文引号”', 'two\nlines', '#不是注释', '  spaced  '),
  fc.string({ maxLength: 12 }).filter((s) => !s.includes('\r')),
);

const dateArb = fc
  .record({ y: fc.integer({ min: 1990, max: 2040 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);

const numberArb: fc.Arbitrary<ExprAst> = fc.integer({ min: -100000, max: 100000 }).chain((n) =>
  fc.constantFrom(1, 100).map((scale) => {
    const value = n / scale;
    return Number.isInteger(value) ? { type: 'number' as const, value, integer: true } : { type: 'number' as const, value };
  }),
);
const moneyArb: fc.Arbitrary<ExprAst> = fc
  .integer({ min: -10_000_000_00, max: 10_000_000_00 })
  .map((fen) => ({ type: 'money' as const, yuan: fen / 100 }));
const percentArb: fc.Arbitrary<ExprAst> = fc.integer({ min: -1000, max: 1000 }).map((n) => ({ type: 'percent' as const, value: n / 10 }));
const durationArb: fc.Arbitrary<ExprAst> = fc.record({
  type: fc.constant('duration' as const),
  amount: fc.integer({ min: -400, max: 400 }),
  unit: fc.constantFrom('days' as const, 'workdays' as const, 'months' as const, 'years' as const),
});

export const leafArb: fc.Arbitrary<ExprAst> = fc.oneof(
  fc.boolean().map((value) => ({ type: 'boolean' as const, value })),
  numberArb,
  moneyArb,
  percentArb,
  dateArb.map((value) => ({ type: 'date' as const, value })),
  textArb.map((value) => ({ type: 'string' as const, value })),
  durationArb,
  nameArb.map((name) => ({ type: 'name' as const, name })),
  fc.constant({ type: 'asOf' as const }),
);

const FNS = ['count', 'sum', 'ratio', 'any', 'all', 'min', 'max', 'avg', 'daysBetween', 'workdaysBetween', 'monthsBetween', 'yearsBetween', 'known', 'round', 'abs', 'customFn'];
const CMP = ['==', '!=', '<', '<=', '>', '>='] as const;
const ARITH = ['+', '-', '*', '/'] as const;

export const exprArb: fc.Arbitrary<ExprAst> = fc.letrec<{ e: ExprAst }>((tie) => {
  const e = tie('e');
  return {
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb,
      fc.record({ type: fc.constant('not' as const), arg: e }),
      fc.record({ type: fc.constant('neg' as const), arg: e }),
      fc.record({ type: fc.constant('and' as const), args: fc.array(e, { minLength: 2, maxLength: 3 }) }),
      fc.record({ type: fc.constant('or' as const), args: fc.array(e, { minLength: 2, maxLength: 3 }) }),
      fc.record({ type: fc.constant('compare' as const), op: fc.constantFrom(...CMP), left: e, right: e }),
      fc.record({ type: fc.constant('arith' as const), op: fc.constantFrom(...ARITH), left: e, right: e }),
      fc
        .record({ value: e, options: fc.array(e, { maxLength: 3 }), negated: fc.boolean() })
        .map(({ value, options, negated }) => (negated ? { type: 'in' as const, value, options, negated: true } : { type: 'in' as const, value, options })),
      fc.record({
        type: fc.constant('between' as const),
        value: e,
        low: e,
        high: e,
        lowInclusive: fc.boolean(),
        highInclusive: fc.boolean(),
      }),
      fc.record({ type: fc.constant('if' as const), cond: e, then: e, else: e }),
      fc
        .record({ fn: fc.constantFrom(...FNS), args: fc.array(e, { maxLength: 3 }), where: fc.option(e, { nil: undefined }) })
        .map(({ fn, args, where }) => (where ? { type: 'call' as const, fn, args, where } : { type: 'call' as const, fn, args })),
    ),
  };
}).e;

/** Long names and strings, so chains and `in` lists pass column 100 and the formatter wraps them. */
const wideNameArb = fc.constantFrom('带动户应享受贷款总额', '县政府已出具书面审批同意书', 'driven_households_consented_beforehand', '第十九条第七项');
const wideLeafArb: fc.Arbitrary<ExprAst> = fc.oneof(
  wideNameArb.map((name) => ({ type: 'name' as const, name })),
  fc.constantFrom('违反贫困县约束规定', '贫困人口识别和退出准确率', 'misreported').map((value) => ({ type: 'string' as const, value })),
);

/**
 * Expressions wide enough to wrap: long `and`/`or` chains (nested, and around `not`, calls and
 * `in` lists with many items), mixing in the small expressions of `exprArb`.
 */
export const wideExprArb: fc.Arbitrary<ExprAst> = fc.letrec<{ w: ExprAst }>((tie) => {
  const w = tie('w');
  const part = fc.oneof({ depthSize: 'small' }, wideLeafArb, exprArb, w);
  return {
    w: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      wideLeafArb,
      fc.record({ type: fc.constantFrom('and' as const, 'or' as const), args: fc.array(part, { minLength: 2, maxLength: 7 }) }),
      fc
        .record({ value: wideLeafArb, options: fc.array(wideLeafArb, { minLength: 1, maxLength: 8 }), negated: fc.boolean() })
        .map(({ value, options, negated }) => (negated ? { type: 'in' as const, value, options, negated: true } : { type: 'in' as const, value, options })),
      fc.record({ type: fc.constant('not' as const), arg: w }),
      fc.record({ type: fc.constant('compare' as const), op: fc.constantFrom(...CMP), left: w, right: part }),
      fc.record({ type: fc.constant('call' as const), fn: fc.constantFrom('count', 'any'), args: fc.array(wideLeafArb, { maxLength: 1 }), where: w }),
      fc.record({ type: fc.constant('if' as const), cond: w, then: part, else: part }),
    ),
  };
}).w;

/** Conditions and definitions: mostly small, often wide enough to wrap. */
const bodyExprArb = fc.oneof(exprArb, wideExprArb);

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drops keys whose value is undefined, so generated trees look like parsed ones. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const scalarKinds = ['boolean', 'integer', 'number', 'money', 'percent', 'date', 'string'] as const;

const enumValueArb = fc
  .record({ value: fc.oneof(nameArb, fc.constantFrom('种植 业', '1a', 'true', 'in', '是')), label: textArb, labelEn: optional(textArb) })
  .map(compact);

const typeArb = (depth: number): fc.Arbitrary<TypeAst> =>
  fc.oneof(
    fc.constantFrom(...scalarKinds).map((kind) => ({ kind })),
    fc.array(enumValueArb, { minLength: 1, maxLength: 5 }).map((values) => ({ kind: 'enum' as const, values })),
    ...(depth > 0 ? [factsArb(depth - 1).map((fields) => ({ kind: 'list' as const, fields }))] : []),
  );

function factArb(depth: number): fc.Arbitrary<FactDeclAst> {
  return fc
    .record({
      name: nameArb,
      label: textArb,
      labelEn: optional(textArb),
      type: typeArb(depth),
      blankLineBefore: optional(fc.constant(true)),
      personal: optional(fc.constant(true)),
      subject: optional(fc.constant(true)),
    })
    .map(compact);
}

/** Facts or list fields; the first of a list never has `blankLineBefore` (nothing to be apart from). */
function factsArb(depth: number): fc.Arbitrary<FactDeclAst[]> {
  return fc.array(factArb(depth), { maxLength: 3 }).map((facts) =>
    facts.map((f, i) => {
      if (i > 0 || !f.blankLineBefore) return f;
      const { blankLineBefore: _dropped, ...rest } = f;
      return rest;
    }),
  );
}

/** Parameters may also be durations (a time limit: 30天, 5个工作日). */
const parameterKinds = [...scalarKinds, 'duration'] as const;

/** A literal of the parameter's type, as the YAML form reads it back by type. */
function literalOf(kind: (typeof parameterKinds)[number]): fc.Arbitrary<ExprAst> {
  switch (kind) {
    case 'duration':
      return durationArb;
    case 'boolean':
      return fc.boolean().map((value) => ({ type: 'boolean' as const, value }));
    case 'integer':
      return fc.integer({ min: -1000, max: 1000 }).map((value) => ({ type: 'number' as const, value, integer: true }));
    case 'number':
      return numberArb;
    case 'money':
      return moneyArb;
    case 'percent':
      return percentArb;
    case 'date':
      return dateArb.map((value) => ({ type: 'date' as const, value }));
    case 'string':
      return textArb.map((value) => ({ type: 'string' as const, value }));
  }
}

const citationArb = fc.record({ source: nameArb, article: textArb, quote: optional(textArb) }).map(compact);

const parameterArb: fc.Arbitrary<ParameterAst> = fc.constantFrom(...parameterKinds).chain((kind) =>
  fc
    .record({
      name: nameArb,
      label: textArb,
      labelEn: optional(textArb),
      type: fc.constant({ kind }),
      values: fc.array(
        fc.record({ from: dateArb, value: literalOf(kind), cites: optional(fc.record({ source: nameArb, article: textArb })) }).map(compact),
        { maxLength: 3 },
      ),
    })
    .map(compact),
);

const definitionArb = (withLabel: boolean): fc.Arbitrary<DefinitionAst> =>
  fc
    .record({ name: nameArb, label: withLabel ? optional(textArb) : fc.constant(undefined), labelEn: withLabel ? optional(textArb) : fc.constant(undefined), expr: bodyExprArb })
    .map(compact);

const ruleArb: fc.Arbitrary<RuleAst> = fc
  .record({
    id: nameArb,
    title: textArb,
    titleEn: optional(textArb),
    cites: optional(citationArb),
    lets: fc.array(definitionArb(true), { maxLength: 2 }),
    when: bodyExprArb,
    then: fc
      .record({
        kind: fc.constantFrom('violation', 'accountability', 'eligible', 'ineligible', 'notice', 'commendation', 'computation'),
        severity: optional(fc.constantFrom('info', 'low', 'medium', 'high', 'critical')),
        message: fc.record({ zh: textArb, en: optional(textArb) }).map(compact),
        consequences: fc.array(textArb, { maxLength: 3 }),
        computed: fc.array(definitionArb(true), { maxLength: 2 }),
      })
      .map(compact),
    exceptionTo: optional(nameArb),
    overrides: optional(fc.constant(true)),
  })
  .map(compact);

const refArb = fc
  .record({ policy: fc.constantFrom('central/poverty-loan', 'gansu/基金', 'a/b'), version: optional(fc.constantFrom('2017.1', 'v2')) })
  .map(compact);

export const policyArb: fc.Arbitrary<PolicyAst> = fc
  .record({
    id: fc.constantFrom('gansu/poverty-loan', '甘肃/扶贫'),
    title: textArb,
    titleEn: optional(textArb),
    jurisdiction: fc.constantFrom('gansu', '甘肃', 'shan-xi', 'in'),
    version: fc.constantFrom('2015.1', '1.10', '', 'v 2'),
    effectiveFrom: dateArb,
    effectiveUntil: optional(dateArb),
    extends: optional(refArb),
    supersedes: fc.array(refArb.map((r) => ({ ...r, version: r.version ?? '1' })), { maxLength: 2 }),
    sources: fc.array(fc.record({ key: nameArb, title: textArb, number: optional(textArb) }).map(compact), { maxLength: 2 }),
    facts: factsArb(2),
    parameters: fc.array(parameterArb, { maxLength: 2 }),
    definitions: fc.array(definitionArb(true), { maxLength: 2 }),
    rules: fc.array(ruleArb, { maxLength: 3 }),
    disabled: fc.array(fc.record({ rule: nameArb, reason: textArb }), { maxLength: 2 }),
  })
  .map(compact);

// ------------------------------------------------------------------------------------------------
// Decision tables and scorecards

const cellArb: fc.Arbitrary<CellAst> = fc.oneof(
  fc.constant({ op: 'any' as const }),
  fc.record({ op: fc.constantFrom(...CMP), value: exprArb }),
  // A bare name spelled like the any-cell word must keep its `==`.
  fc.constant({ op: '==' as const, value: { type: 'name' as const, name: 'any' } }),
  fc.record({ op: fc.constant('between' as const), low: exprArb, high: exprArb, lowInclusive: fc.boolean(), highInclusive: fc.boolean() }),
  fc.record({ op: fc.constantFrom('in' as const, 'not in' as const), options: fc.array(exprArb, { maxLength: 3 }) }),
);

const outcomeArb = fc
  .record({
    kind: fc.constantFrom('violation', 'accountability', 'computation'),
    severity: optional(fc.constantFrom('info', 'high')),
    message: fc.record({ zh: textArb, en: optional(textArb) }).map(compact),
    consequences: fc.array(textArb, { maxLength: 2 }),
    computed: fc.array(definitionArb(true), { maxLength: 1 }),
  })
  .map(compact);

const rowArb = (cells: number): fc.Arbitrary<TableRowAst> =>
  fc
    .record({
      id: optional(nameArb),
      cells: fc.array(cellArb, { minLength: cells, maxLength: cells }),
      gives: optional(bodyExprArb),
      cites: optional(citationArb),
      then: optional(outcomeArb),
    })
    .map(compact);

const tableArb: fc.Arbitrary<TableAst> = fc.integer({ min: 1, max: 3 }).chain((n) =>
  fc
    .record({
      id: nameArb,
      title: textArb,
      titleEn: optional(textArb),
      hit: fc.constantFrom('unique', 'first', 'collect'),
      aggregate: optional(fc.constantFrom('sum', 'min', 'max', 'count')),
      columns: fc.array(bodyExprArb, { minLength: n, maxLength: n }),
      rows: fc.array(rowArb(n), { maxLength: 3 }),
      complete: optional(textArb),
    })
    .map(compact),
);

const scorecardArb: fc.Arbitrary<ScorecardAst> = fc
  .record({
    id: nameArb,
    title: textArb,
    titleEn: optional(textArb),
    indicators: fc.array(
      fc.integer({ min: 1, max: 2 }).chain((n) =>
        fc
          .record({ id: nameArb, label: textArb, labelEn: optional(textArb), columns: fc.array(bodyExprArb, { minLength: n, maxLength: n }), rows: fc.array(rowArb(n), { maxLength: 2 }) })
          .map(compact),
      ),
      { maxLength: 2 },
    ),
    grades: fc.array(rowArb(1), { maxLength: 3 }),
  })
  .map(compact);

/** A policy with decision tables and scorecards (and no rules), for their round trips. */
export const tablePolicyArb: fc.Arbitrary<PolicyAst> = fc
  .record({ base: policyArb, tables: fc.array(tableArb, { minLength: 1, maxLength: 2 }), scorecards: fc.array(scorecardArb, { maxLength: 1 }) })
  .map(({ base, tables, scorecards }) => compact({ ...base, tables, scorecards: scorecards.length ? scorecards : undefined }));

/** A tree without source locations, for comparing parsed trees with generated ones. */
export function stripLoc<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'loc' ? undefined : v))) as T;
}

/** Keys the YAML form does not carry: locations, comments and the one piece of kept layout. */
const COMMENT_KEYS = new Set(['loc', 'comments', 'clauseComments', 'trailingComments', 'blankLineBefore']);

/** A tree without locations, comments or blank lines, for forms and generators that do not carry them. */
export function stripLocAndComments<T>(x: T): T {
  return JSON.parse(JSON.stringify(x, (k, v: unknown) => (COMMENT_KEYS.has(k) ? undefined : v))) as T;
}

// ------------------------------------------------------------------------------------------------
// Comments

/** What follows `#`: anything on one line, no trailing blanks (the lexer's comment text). */
const commentTextArb = fc.oneof(
  fc.constantFrom('', ' 不超过3%: exactly 3% is within the line', '#', ' ---', ' "quoted" # twice', '\t tab'),
  fc
    .string({ maxLength: 16 })
    .map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/g, ' ').replace(/[ \t\u3000\uFEFF]+$/, '')),
);

const commentsArb: fc.Arbitrary<Comments> = fc
  .record({ leading: optional(fc.array(commentTextArb, { minLength: 1, maxLength: 3 })), trailing: optional(commentTextArb) })
  .map(compact)
  .filter((c) => c.leading !== undefined || c.trailing !== undefined);

/**
 * Puts comments on every line of a tree that can carry them, taking the next entry of `supply`
 * (cycled) for each place; `undefined` entries leave a place bare.
 */
function decorate(p: PolicyAst, supply: (Comments | undefined)[], tail: string[] | undefined): PolicyAst {
  let i = 0;
  const next = () => supply[i++ % supply.length];
  const put = <K extends string>(holder: { [k in K]?: Comments }, key: K) => {
    const c = next();
    if (c) holder[key] = structuredClone(c);
  };
  const clause = <K extends string>(owner: { clauseComments?: { [k in K]?: Comments } }, key: K) => {
    const c = next();
    if (c) owner.clauseComments = { ...owner.clauseComments, [key]: structuredClone(c) } as { [k in K]?: Comments };
  };
  const fact = (f: FactDeclAst) => {
    put(f, 'comments');
    if (f.type.kind === 'list') f.type.fields.forEach(fact);
  };
  // JSON, not structuredClone: generated trees share constant nodes (`{type:'asOf'}`), and a
  // comment put on one of them must not appear on the others.
  const q = JSON.parse(JSON.stringify(p)) as PolicyAst;
  put(q, 'comments');
  for (const key of ['title', 'jurisdiction', 'version', 'effective'] as const) clause(q, key);
  if (q.extends) put(q.extends, 'comments');
  q.supersedes.forEach((s) => put(s, 'comments'));
  q.sources.forEach((s) => put(s, 'comments'));
  // The `facts` line is printed only when there are facts or comments for it.
  if (q.facts.length > 0) clause(q, 'facts');
  q.facts.forEach(fact);
  for (const par of q.parameters) {
    put(par, 'comments');
    if (par.type.kind === 'list') par.type.fields.forEach(fact);
    par.values.forEach((v) => put(v, 'comments'));
  }
  q.definitions.forEach((d) => put(d, 'comments'));
  for (const r of q.rules) {
    put(r, 'comments');
    if (r.cites) put(r.cites, 'comments');
    if (r.exceptionTo !== undefined) clause(r, 'exceptionTo');
    if (r.overrides) clause(r, 'overrides');
    r.lets.forEach((l) => put(l, 'comments'));
    put(r.when, 'comments');
    put(r.then, 'comments');
    clause(r.then, 'message');
    if (r.then.consequences.length > 0) clause(r.then, 'consequences');
    r.then.computed.forEach((c) => put(c, 'comments'));
  }
  q.disabled.forEach((d) => put(d, 'comments'));
  if (tail) q.trailingComments = tail;
  return q;
}

/** Well-formed trees with comments in every position the formatter prints them. */
export const commentedPolicyArb: fc.Arbitrary<PolicyAst> = fc
  .tuple(
    policyArb,
    fc.array(fc.option(commentsArb, { nil: undefined, freq: 2 }), { minLength: 1, maxLength: 40 }),
    optional(fc.array(commentTextArb, { minLength: 1, maxLength: 3 })),
  )
  .map(([p, supply, tail]) => decorate(p, supply, tail));
