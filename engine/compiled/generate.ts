/**
 * The generator: a resolved policy's IR to the JavaScript source of its evaluator, the way ajv
 * compiles JSON Schemas. Security rules (issue #18): no text from a policy or from facts is ever
 * spliced into the source as code. Every identifier is the generator's own (`f3` fact slot, `D2`
 * definition, `L5` let, `R7` rule, `t12` temporary); every string literal goes through `lit`
 * (JSON.stringify, plus U+2028/2029 escaped); numbers through `num` (Number.isFinite checked);
 * dates become day numbers; property names are only ever `case` labels or slot indexes. Anything
 * else the evaluator needs (unknowns, durations, messages) is data in `S.c`, indexed by number.
 *
 * Values are unboxed by run-time kind (see ./runtime.ts). Semantics are the interpreter's
 * (engine/evaluate/interpret.ts): Kleene logic, unknowns merged in the interpreter's order.
 * `and`/`or`/`any`/`all` stop at the operand that decides (evaluation has no effects).
 * A construct the generator does not cover throws `Unsupported`; the caller then uses the
 * interpreter for that policy.
 */
import type { AggregateFn, ArithOp, CompareOp, Expr, FactDecl, PolicyIR, RuleIR } from '../ir/types.ts';
import { MSG } from '../messages.ts';
import { createContext, ruleContext, staticKind, type EvalContext } from '../evaluate/interpret.ts';
import { parseDate, roundHalfAway, unknown, yuanToFen } from '../values/index.ts';
import type { UKind } from './runtime.ts';

export class Unsupported extends Error {}

/** A JS string literal for any text: JSON, with the two line terminators JSON leaves raw escaped. */
export function lit(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A JS number literal, checked finite; negatives and -0 parenthesised. */
export function num(n: number): string {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Unsupported(`number ${String(n)}`);
  if (Object.is(n, -0)) return '(-0)';
  return n < 0 ? `(${String(n)})` : String(n);
}

interface Rec {
  v: string; // record variable
  i: string; // index variable
  list: string;
  fields: Map<string, { idx: number; kind: UKind }>;
}

interface Scope {
  typeCtx: EvalContext;
  lets?: Map<string, number>;
  rec?: Rec;
}

/** One generated function body: its statements and temporaries. */
class Body {
  lines: string[] = [];
  n = 0;
  tmp(): string {
    return `t${this.n++}`;
  }
  emit(s: string): void {
    this.lines.push(s);
  }
  /** The statements `f` emits, taken out (for a branch). */
  block(f: () => string): { code: string; x: string } {
    const saved = this.lines;
    this.lines = [];
    const x = f();
    const code = this.lines.join('\n');
    this.lines = saved;
    return { code, x };
  }
  decl(): string {
    return this.n > 0 ? `let ${Array.from({ length: this.n }, (_, i) => `t${i}`).join(', ')};\n` : '';
  }
}

interface Out {
  x: string;
  k: UKind;
}

/**
 * A name every object inherits (`constructor`, `toString`, …): the reference validator (ajv) reads
 * such a fact or field through the prototype when it is absent, so the reader leaves those inputs
 * to it and the decision stays the reference's.
 */
function inherited(name: string): boolean {
  return name in Object.prototype;
}

const NUMERIC = new Set<UKind>(['number', 'percent']);

function kindOfDecl(t: FactDecl['type']['kind'] | 'duration'): UKind {
  switch (t) {
    case 'integer':
    case 'number':
      return 'number';
    case 'enum':
      return 'string';
    default:
      return t;
  }
}

/** Test that unboxed `x` of kind `k` is unknown. */
function uk(x: string, k: UKind): string {
  switch (k) {
    case 'number':
    case 'percent':
    case 'money':
    case 'date':
      return `typeof ${x} !== "number"`;
    case 'string':
      return `typeof ${x} !== "string"`;
    case 'boolean':
      return `typeof ${x} !== "boolean"`;
    case 'duration':
      return `${x}.kind === "unknown"`;
    case 'list':
      throw new Unsupported('list value');
  }
}

const CMP: Record<CompareOp, string> = { '==': '===', '!=': '!==', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/** What the runtime needs besides the source, as JSON data. */
export interface Statics {
  /** Constants generated code reads as `c<i>`. */
  c: unknown[];
  /** Per rule, per computed value: its run-time kind and static kind (for `computedResult`). */
  computed: { rk: UKind; sk: string | undefined }[][];
  nRules: number;
}

export interface Generated {
  /** The body of `function (rt, S)`; it returns the evaluator's entry points. */
  source: string;
  statics: Statics;
}

export function generate(ir: PolicyIR): Generated {
  return new Gen(ir).run();
}

class Gen {
  private consts: unknown[] = [];
  private constIdx = new Map<string, number>();
  private fns: string[] = [];
  private factSlot = new Map<string, number>();
  private paramSlot = new Map<string, number>();
  private defSlot = new Map<string, number>();
  private defKinds = new Map<number, UKind | null>(); // null: being generated (cycle guard)
  private letKinds = new Map<number, UKind | null>();
  private letCount = 0;
  private recN = 0;
  /**
   * Set while generating an expression whose percent-or-number kind is only known at run time
   * (an `if` with a percent branch and a number branch). The kind then only labels the same
   * number; it matters solely for showing a computed value without a static type.
   */
  private uncertain = false;
  private uncertainFns = new Set<string>();
  private readonly rootCtx: EvalContext;

  constructor(private readonly ir: PolicyIR) {
    this.rootCtx = createContext(ir, {}, ir.effectiveFrom);
    ir.facts.forEach((f, i) => this.factSlot.set(f.name, i));
    ir.parameters.forEach((p, i) => this.paramSlot.set(p.name, i));
    ir.definitions.forEach((d, i) => this.defSlot.set(d.name, i));
  }

  /** Index of a JSON constant in `S.c`, deduplicated. */
  private constant(v: unknown): string {
    const key = JSON.stringify(v);
    let i = this.constIdx.get(key);
    if (i === undefined) {
      i = this.consts.length;
      this.consts.push(v);
      this.constIdx.set(key, i);
    }
    return `c${i}`;
  }

  run(): Generated {
    const ir = this.ir;
    const computed: Statics['computed'] = [];
    // Missing-fact unknowns, one per fact, shared (decisions copy their `missing`).
    const missK = ir.facts.map((f) => this.constant(unknown([f.name])));
    ir.rules.forEach((rule, ri) => {
      const typeCtx = ruleContext(this.rootCtx, rule);
      const lets = new Map<string, number>();
      for (const l of rule.lets) lets.set(l.name, this.letCount++);
      const scope: Scope = { typeCtx, lets };
      this.letDefs(rule, lets, scope);
      this.fn(`R${ri}`, scope, rule.when, 'boolean');
      computed.push(
        rule.then.computed.map((c, k) => {
          this.uncertain = false;
          const rk = this.fn(`C${ri}_${k}`, scope, c.expr);
          const sk = staticKind(c.expr, typeCtx);
          if (this.uncertain && sk === undefined) throw new Unsupported('a computed value of run-time kind without a static type');
          return { rk, sk };
        }),
      );
    });
    for (let i = 0; i < ir.definitions.length; i++) this.def(i);

    const factVars = ir.facts.map((_, i) => `f${i}`);
    const memo = [...ir.definitions.map((_, i) => `d${i}`), ...Array.from({ length: this.letCount }, (_, i) => `l${i}`)];
    const src: string[] = [];
    src.push('"use strict";');
    src.push(`const ${this.consts.map((_, i) => `c${i} = S.c[${i}]`).join(', ') || '_c = 0'};`);
    src.push(`let P = [], AS = 0${factVars.map((v) => `, ${v}`).join('')}${memo.map((v) => `, ${v}`).join('')};`);
    src.push(`function reset() {\n${memo.map((v) => `${v} = undefined;`).join('\n')}\n}`);
    src.push(...this.fns);
    src.push(this.loader(missK));
    src.push(this.normLoader(missK));
    // Verdicts into st (0 not fired, 1 fired, 2 undetermined) and un (the unknown).
    const judge = ir.rules.map((_, i) => `v = R${i}(); if (v === true) st[${i}] = 1; else if (v === false) st[${i}] = 0; else { st[${i}] = 2; un[${i}] = v; }`);
    src.push(`function judge(p, day, st, un) {\nP = p; AS = day; reset();\nlet v;\n${judge.join('\n')}\n}`);
    const comp = ir.rules.map((r, i) => `case ${i}: switch (k) { ${r.then.computed.map((_, k) => `case ${k}: return C${i}_${k}();`).join(' ')} } break;`);
    src.push(`function computed(i, k) {\nswitch (i) {\n${comp.join('\n')}\n}\nthrow new Error("engine bug: no computed value");\n}`);
    src.push('return { load, loadNormalized, judge, computed };');
    return { source: src.join('\n'), statics: { c: this.consts, computed, nRules: ir.rules.length } };
  }

  /** Generates a memo function for each of the rule's lets. */
  private letDefs(rule: RuleIR, lets: Map<string, number>, scope: Scope): void {
    rule.lets.forEach((l) => {
      const slot = lets.get(l.name)!;
      // Later lets of the same name shadow earlier ones in the Map; the interpreter's Map does the same.
      if (this.letKinds.has(slot)) return;
      this.letKinds.set(slot, null);
      const k = this.memoFn(`L${slot}`, `l${slot}`, { typeCtx: scope.typeCtx, lets }, l.expr);
      this.letKinds.set(slot, k);
    });
  }

  private def(slot: number): UKind {
    const k = this.defKinds.get(slot);
    if (k === null) throw new Unsupported('cyclic definition');
    if (k !== undefined) return k;
    this.defKinds.set(slot, null);
    const kind = this.memoFn(`D${slot}`, `d${slot}`, { typeCtx: this.rootCtx }, this.ir.definitions[slot]!.expr);
    this.defKinds.set(slot, kind);
    return kind;
  }

  private memoFn(name: string, memo: string, scope: Scope, e: Expr): UKind {
    const b = new Body();
    const outer = this.uncertain;
    this.uncertain = false;
    const o = this.expr(e, scope, b);
    if (this.uncertain) this.uncertainFns.add(name);
    this.uncertain = outer;
    this.fns.push(`function ${name}() {\nif (${memo} !== undefined) return ${memo};\n${b.decl()}${b.lines.join('\n')}\nreturn (${memo} = ${o.x});\n}`);
    return o.k;
  }

  private fn(name: string, scope: Scope, e: Expr, want?: UKind): UKind {
    const b = new Body();
    const o = this.expr(e, scope, b);
    if (want !== undefined && o.k !== want) throw new Unsupported(`${name} is ${o.k}`);
    this.fns.push(`function ${name}() {\n${b.decl()}${b.lines.join('\n')}\nreturn ${o.x};\n}`);
    return o.k;
  }

  // -------------------------------------------------------------------------------------------
  // Facts

  /** Checks and unboxes one raw value of declared type `t` from `v` into `dst` (or returns false). */
  private check(d: FactDecl, v: string, dst: string, b: Body): void {
    const t = d.type;
    switch (t.kind) {
      case 'boolean':
        b.emit(`if (${v} === true || ${v} === false) ${dst} = ${v}; else return false;`);
        return;
      case 'integer':
        b.emit(`if (typeof ${v} === "number" && rt.isInt(${v})) ${dst} = ${v}; else return false;`);
        return;
      case 'number':
        b.emit(`if (typeof ${v} === "number" && rt.isFin(${v})) ${dst} = ${v}; else return false;`);
        return;
      case 'percent':
        b.emit(`if (typeof ${v} === "number" && rt.isFin(${v})) ${dst} = ${v} / 100; else return false;`);
        return;
      case 'money': {
        const m = b.tmp();
        b.emit(`${m} = rt.moneyFen(${v}); if (${m} === rt.UNSURE) return false; ${dst} = ${m};`);
        return;
      }
      case 'date': {
        const m = b.tmp();
        b.emit(`${m} = rt.day(${v}); if (${m} === undefined) return false; ${dst} = ${m};`);
        return;
      }
      case 'string':
        b.emit(`if (typeof ${v} === "string") ${dst} = ${v}; else return false;`);
        return;
      case 'enum': {
        const test = t.values.map((e) => `${v} === ${lit(e.value)}`).join(' || ') || 'false';
        b.emit(`if (${test}) ${dst} = ${v}; else return false;`);
        return;
      }
      case 'list': {
        const a = b.tmp();
        const i = b.tmp();
        const r = b.tmp();
        const o = b.tmp();
        const k = b.tmp();
        const w = b.tmp();
        b.emit(`if (!rt.isArr(${v})) return false;`);
        b.emit(`${a} = new Array(${v}.length);`);
        b.emit(`for (${i} = 0; ${i} < ${v}.length; ${i}++) {`);
        b.emit(`${r} = ${v}[${i}];`);
        b.emit(`if (typeof ${r} !== "object" || ${r} === null || rt.isArr(${r})) return false;`);
        b.emit(`${o} = [${t.fields.map(() => 'undefined').join(', ')}];`);
        b.emit(`for (${k} in ${r}) {`);
        b.emit(`${w} = ${r}[${k}];`);
        b.emit(`switch (${k}) {`);
        t.fields.forEach((f, fi) => {
          b.emit(`case ${lit(f.name)}:`);
          b.emit(`if (${w} === null || ${w} === undefined) break;`);
          this.check(f, w, `${o}[${fi}]`, b);
          b.emit('break;');
        });
        b.emit('default: return false;\n}\n}');
        t.fields.forEach((f, fi) => {
          if (inherited(f.name)) b.emit(`if (${o}[${fi}] === undefined) return false;`);
        });
        b.emit(`${a}[${i}] = ${o};\n}`);
        b.emit(`${dst} = ${a};`);
        return;
      }
    }
  }

  /** `load(x)`: reads raw facts into the slots; false when the reference validator must judge them. */
  private loader(missK: string[]): string {
    const b = new Body();
    const k = b.tmp();
    const v = b.tmp();
    b.emit('if (x === null || x === undefined) x = {};');
    b.emit('if (typeof x !== "object" || rt.isArr(x)) return false;');
    this.ir.facts.forEach((_, i) => b.emit(`f${i} = ${missK[i]};`));
    b.emit(`for (${k} in x) {`);
    b.emit(`${v} = x[${k}];`);
    b.emit(`switch (${k}) {`);
    this.ir.facts.forEach((d, i) => {
      b.emit(`case ${lit(d.name)}:`);
      b.emit(`if (${v} === null || ${v} === undefined) break;`);
      this.check(d, v, `f${i}`, b);
      b.emit('break;');
    });
    b.emit('default: return false;\n}\n}');
    this.ir.facts.forEach((d, i) => {
      if (inherited(d.name)) b.emit(`if (f${i} === ${missK[i]}) return false;`);
    });
    b.emit('return true;');
    return `function load(x) {\n${b.decl()}${b.lines.join('\n')}\n}`;
  }

  /** `loadNormalized(nf)`: normalised facts (engine `Value`s) into the slots. */
  private normLoader(missK: string[]): string {
    const lines: string[] = [];
    const un = (d: FactDecl, v: string): string => {
      switch (d.type.kind) {
        case 'money':
          return `${v}.fen`;
        case 'percent':
          return `${v}.ratio`;
        case 'date':
          return `${v}.day`;
        case 'list': {
          const fields = d.type.fields;
          const each = fields.map((f) => `(r[${lit(f.name)}] === undefined ? undefined : ${un(f, `r[${lit(f.name)}]`)})`);
          return `${v}.records.map((r) => [${each.join(', ')}])`;
        }
        default:
          return `${v}.value`;
      }
    };
    this.ir.facts.forEach((d, i) => {
      // Own properties only: a missing fact named like an Object.prototype member is missing.
      lines.push(`v = Object.prototype.hasOwnProperty.call(nf, ${lit(d.name)}) ? nf[${lit(d.name)}] : undefined;`);
      lines.push(`f${i} = v === undefined ? ${missK[i]} : ${un(d, 'v')};`);
    });
    return `function loadNormalized(nf) {\nlet v;\n${lines.join('\n')}\n}`;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private expr(e: Expr, s: Scope, b: Body): Out {
    switch (e.type) {
      case 'boolean':
        return { x: e.value ? 'true' : 'false', k: 'boolean' };
      case 'number':
        return { x: num(e.value), k: 'number' };
      case 'money':
        return { x: num(yuanToFen(e.yuan) ?? roundHalfAway(e.yuan * 100)), k: 'money' };
      case 'percent':
        return { x: num(e.value / 100), k: 'percent' };
      case 'date': {
        const day = parseDate(e.value);
        if (day === undefined) throw new Unsupported(`date literal`);
        return { x: num(day), k: 'date' };
      }
      case 'string':
        return { x: lit(e.value), k: 'string' };
      case 'duration':
        return { x: this.constant({ kind: 'duration', amount: e.amount, unit: e.unit }), k: 'duration' };
      case 'asOf':
        return { x: 'AS', k: 'date' };
      case 'fact': {
        const slot = this.factSlot.get(e.name);
        if (slot === undefined) throw new Unsupported('unknown fact');
        const d = this.ir.facts[slot]!;
        return { x: `f${slot}`, k: kindOfDecl(d.type.kind) };
      }
      case 'field': {
        const r = s.rec;
        const f = r?.fields.get(e.name);
        if (!r || !f) throw new Unsupported('field outside a record');
        const t = b.tmp();
        b.emit(`${t} = ${r.v}[${f.idx}]; if (${t} === undefined) ${t} = rt.mf(${this.constant(r.list)}, ${r.i}, ${this.constant(e.name)});`);
        return { x: t, k: f.kind };
      }
      case 'param': {
        const slot = this.paramSlot.get(e.name);
        if (slot === undefined) throw new Unsupported('unknown parameter');
        return { x: `P[${slot}]`, k: kindOfDecl(this.ir.parameters[slot]!.type.kind) };
      }
      case 'ref':
        return this.ref(e.name, s);
      case 'not': {
        const a = this.expr(e.arg, s, b);
        if (a.k !== 'boolean') throw new Unsupported('not of non-boolean');
        const t = b.tmp();
        b.emit(`${t} = ${a.x} === true ? false : ${a.x} === false ? true : ${a.x};`);
        return { x: t, k: 'boolean' };
      }
      case 'neg': {
        const a = this.expr(e.arg, s, b);
        const t = b.tmp();
        if (a.k === 'duration') b.emit(`${t} = rt.negB(${a.x});`);
        else if (NUMERIC.has(a.k) || a.k === 'money') b.emit(`${t} = typeof ${a.x} === "number" ? -${a.x} : ${a.x};`);
        else throw new Unsupported(`-${a.k}`);
        return { x: t, k: a.k };
      }
      case 'and':
      case 'or':
        return this.logic(e.type, e.args, s, b);
      case 'compare':
        return this.compare(e.op, this.expr(e.left, s, b), this.expr(e.right, s, b), b);
      case 'arith':
        return this.arith(e.op, this.expr(e.left, s, b), this.expr(e.right, s, b), b);
      case 'in': {
        const v = this.expr(e.value, s, b);
        // Kleene or of the equalities; all unknown comparisons merged in order unless one holds.
        const t = b.tmp();
        b.emit(`${t} = false;`);
        let close = '';
        for (const o of e.options) {
          const { code, x } = b.block(() => {
            const ov = this.expr(o, s, b);
            const c = this.compare('==', v, ov, b);
            return c.x;
          });
          b.emit(`${code}\nif (${x} === true) ${t} = true; else {\nif (${x} !== false) ${t} = ${t} === false ? ${x} : rt.mu(${t}, ${x});`);
          close += '}';
        }
        b.emit(close);
        if (e.negated) b.emit(`${t} = ${t} === true ? false : ${t} === false ? true : ${t};`);
        return { x: t, k: 'boolean' };
      }
      case 'between': {
        const v = this.expr(e.value, s, b);
        const lo = this.expr(e.low, s, b);
        const hi = this.expr(e.high, s, b);
        const a = this.compare(e.lowInclusive ? '<=' : '<', lo, v, b);
        const c = this.compare(e.highInclusive ? '<=' : '<', v, hi, b);
        const t = b.tmp();
        b.emit(`${t} = ${a.x} === false || ${c.x} === false ? false : ${a.x} === true && ${c.x} === true ? true : rt.mu(${a.x}, ${c.x});`);
        return { x: t, k: 'boolean' };
      }
      case 'if': {
        const c = this.expr(e.cond, s, b);
        if (c.k !== 'boolean') throw new Unsupported('if on non-boolean');
        const t = b.tmp();
        // Each branch's statements assign t; `block` hands back the branch's kind as its `x`.
        const th = b.block(() => {
          const o = this.expr(e.then, s, b);
          b.emit(`${t} = ${o.x};`);
          return o.k;
        });
        const el = b.block(() => {
          const o = this.expr(e.else, s, b);
          b.emit(`${t} = ${o.x};`);
          return o.k;
        });
        b.emit(`if (${c.x} === true) {\n${th.code}\n} else if (${c.x} === false) {\n${el.code}\n} else ${t} = ${c.x};`);
        if (th.x === el.x) return { x: t, k: th.x as UKind };
        // 3% or 0.5: the same number either way (a ratio); only its label differs, see `uncertain`.
        if (NUMERIC.has(th.x as UKind) && NUMERIC.has(el.x as UKind)) {
          this.uncertain = true;
          return { x: t, k: 'number' };
        }
        throw new Unsupported('if with branches of different kinds');
      }
      case 'call':
        return this.call(e, s, b);
      case 'aggregate':
        return this.aggregate(e, s, b);
    }
  }

  private ref(name: string, s: Scope): Out {
    const letSlot = s.lets?.get(name);
    if (letSlot !== undefined) {
      const k = this.letKinds.get(letSlot);
      if (k === null || k === undefined) throw new Unsupported('let used before it is generated');
      if (this.uncertainFns.has(`L${letSlot}`)) this.uncertain = true;
      return { x: `L${letSlot}()`, k };
    }
    const d = this.defSlot.get(name);
    if (d === undefined) throw new Unsupported('unknown name');
    const k = this.def(d);
    if (this.uncertainFns.has(`D${d}`)) this.uncertain = true;
    return { x: `D${d}()`, k };
  }

  private logic(op: 'and' | 'or', args: readonly Expr[], s: Scope, b: Body): Out {
    // and: false decides; else the unknowns merged in order; else true. or dually.
    const decides = op === 'and' ? 'false' : 'true';
    const neutral = op === 'and' ? 'true' : 'false';
    const t = b.tmp();
    b.emit(`${t} = ${neutral};`);
    let close = '';
    for (const a of args) {
      const { code, x } = b.block(() => {
        const o = this.expr(a, s, b);
        if (o.k !== 'boolean') throw new Unsupported(`${op} of non-boolean`);
        return o.x;
      });
      b.emit(`${code}\nif (${x} === ${decides}) ${t} = ${decides}; else {\nif (${x} !== ${neutral}) ${t} = ${t} === ${neutral} ? ${x} : rt.mu(${t}, ${x});`);
      close += '}';
    }
    b.emit(close);
    return { x: t, k: 'boolean' };
  }

  private compare(op: CompareOp, l: Out, r: Out, b: Body): Out {
    const t = b.tmp();
    if (l.k === 'duration' || r.k === 'duration') {
      b.emit(`${t} = rt.cmpB(${lit(op)}, ${lit(l.k)}, ${l.x}, ${lit(r.k)}, ${r.x});`);
      return { x: t, k: 'boolean' };
    }
    const unk = `${uk(l.x, l.k)} || ${uk(r.x, r.k)}`;
    let test: string;
    if ((NUMERIC.has(l.k) && NUMERIC.has(r.k)) || ((l.k === 'money' || l.k === 'date') && l.k === r.k)) test = `${l.x} - ${r.x} ${CMP[op]} 0`;
    else if (l.k === 'string' && r.k === 'string') test = `${l.x} ${CMP[op]} ${r.x}`;
    else if (l.k === 'boolean' && r.k === 'boolean') test = `(+${l.x}) - (+${r.x}) ${CMP[op]} 0`;
    else throw new Unsupported(`compare ${l.k} with ${r.k}`);
    b.emit(`${t} = ${unk} ? rt.mu(${l.x}, ${r.x}) : ${test};`);
    return { x: t, k: 'boolean' };
  }

  private arith(op: ArithOp, l: Out, r: Out, b: Body): Out {
    const t = b.tmp();
    if (l.k === 'duration' || r.k === 'duration') {
      if (l.k === 'date' && r.k === 'duration' && (op === '+' || op === '-')) {
        b.emit(`${t} = ${uk(l.x, l.k)} || ${uk(r.x, r.k)} ? rt.mu(${l.x}, ${r.x}) : rt.shift(${l.x}, ${r.x}, ${op === '+' ? 1 : -1});`);
        return { x: t, k: 'date' };
      }
      if (l.k === 'duration' && r.k === 'duration' && (op === '+' || op === '-')) {
        b.emit(`${t} = rt.arithB(${lit(op)}, "duration", ${l.x}, "duration", ${r.x});`);
        return { x: t, k: 'duration' };
      }
      throw new Unsupported(`${l.k} ${op} ${r.k}`);
    }
    const unk = `${uk(l.x, l.k)} || ${uk(r.x, r.k)} ? rt.mu(${l.x}, ${r.x}) : `;
    let k: UKind;
    let v: string;
    if (l.k === 'date') {
      if (r.k === 'date' && op === '-') [k, v] = ['number', `${l.x} - ${r.x}`];
      else if (NUMERIC.has(r.k) && (op === '+' || op === '-')) [k, v] = ['date', `${l.x} ${op} ${r.x}`];
      else throw new Unsupported(`date ${op} ${r.k}`);
    } else if (l.k === 'money' && r.k === 'money') {
      if (op === '+' || op === '-') [k, v] = ['money', `${l.x} ${op} ${r.x}`];
      else if (op === '/') [k, v] = ['number', `${r.x} === 0 ? rt.DIV0 : ${l.x} / ${r.x}`];
      else throw new Unsupported('money * money');
    } else if (l.k === 'money' && NUMERIC.has(r.k)) {
      if (op === '*') [k, v] = ['money', `rt.mulMoney(${l.x}, ${r.x})`];
      else if (op === '/') [k, v] = ['money', `${r.x} === 0 ? rt.DIV0 : rt.divMoney(${l.x}, ${r.x})`];
      else throw new Unsupported(`money ${op} number`);
    } else if (r.k === 'money' && NUMERIC.has(l.k) && op === '*') {
      [k, v] = ['money', `rt.mulMoney(${r.x}, ${l.x})`];
    } else if (NUMERIC.has(l.k) && NUMERIC.has(r.k)) {
      // percent ± percent stays a percent; any other mix is a plain number.
      k = l.k === 'percent' && r.k === 'percent' && (op === '+' || op === '-') ? 'percent' : 'number';
      v = op === '/' ? `${r.x} === 0 ? rt.DIV0 : ${l.x} / ${r.x}` : `${l.x} ${op} ${r.x}`;
    } else throw new Unsupported(`${l.k} ${op} ${r.k}`);
    b.emit(`${t} = ${unk}${v};`);
    return { x: t, k };
  }

  private call(e: Extract<Expr, { type: 'call' }>, s: Scope, b: Body): Out {
    const t = b.tmp();
    if (e.fn === 'known') {
      const a = e.args[0];
      if (!a) throw new Unsupported('known()');
      if (a.type === 'fact') {
        const slot = this.factSlot.get(a.name);
        if (slot === undefined) throw new Unsupported('unknown fact');
        b.emit(`${t} = f${slot} !== ${this.constant(unknown([a.name]))};`);
      } else if (a.type === 'field') {
        const f = s.rec?.fields.get(a.name);
        if (!s.rec || !f) throw new Unsupported('field outside a record');
        b.emit(`${t} = ${s.rec.v}[${f.idx}] !== undefined;`);
      } else {
        const o = this.expr(a, s, b);
        b.emit(`${t} = !(${uk(o.x, o.k)});`);
      }
      return { x: t, k: 'boolean' };
    }
    const args = e.args.map((a) => this.expr(a, s, b));
    const anyUnk = args.map((a) => uk(a.x, a.k)).join(' || ');
    switch (e.fn) {
      case 'min':
      case 'max': {
        const kinds = new Set(args.map((a) => a.k));
        let k: UKind;
        if ([...kinds].every((x) => NUMERIC.has(x))) k = kinds.size === 1 && kinds.has('percent') ? 'percent' : 'number';
        else if (kinds.size === 1 && (kinds.has('money') || kinds.has('date'))) k = args[0]!.k;
        else throw new Unsupported(`${e.fn} of ${[...kinds].join(',')}`);
        if (args.length === 0) throw new Unsupported(`${e.fn}()`);
        b.emit(`if (${anyUnk}) ${t} = rt.mergeN([${args.map((a) => a.x).join(', ')}]); else {\n${t} = ${args[0]!.x};`);
        for (const a of args.slice(1)) b.emit(`if (${a.x} - ${t} ${e.fn === 'min' ? '<' : '>'} 0) ${t} = ${a.x};`);
        b.emit('}');
        return { x: t, k };
      }
      case 'abs': {
        const a = args[0]!;
        if (!(NUMERIC.has(a.k) || a.k === 'money')) throw new Unsupported(`abs(${a.k})`);
        b.emit(`${t} = typeof ${a.x} === "number" ? rt.abs(${a.x}) : ${a.x};`);
        return { x: t, k: a.k };
      }
      case 'round': {
        const a = args[0]!;
        if (a.k === 'money') b.emit(`${t} = typeof ${a.x} === "number" ? rt.rmy(${a.x}) : ${a.x};`);
        else if (NUMERIC.has(a.k)) b.emit(`${t} = typeof ${a.x} === "number" ? rt.rha(${a.x}) : ${a.x};`);
        else throw new Unsupported(`round(${a.k})`);
        return { x: t, k: a.k === 'money' ? 'money' : 'number' };
      }
      case 'daysBetween':
      case 'workdaysBetween':
      case 'monthsBetween':
      case 'yearsBetween': {
        const [a, c] = args as [Out, Out];
        if (a.k !== 'date' || c.k !== 'date') throw new Unsupported(`${e.fn} of non-dates`);
        const f = { daysBetween: `${c.x} - ${a.x}`, workdaysBetween: `rt.wdb(${a.x}, ${c.x})`, monthsBetween: `rt.mb(${a.x}, ${c.x})`, yearsBetween: `rt.yb(${a.x}, ${c.x})` }[e.fn];
        b.emit(`${t} = ${anyUnk} ? rt.mu(${a.x}, ${c.x}) : ${f};`);
        return { x: t, k: 'number' };
      }
    }
  }

  private aggregate(e: Extract<Expr, { type: 'aggregate' }>, s: Scope, b: Body): Out {
    const slot = this.factSlot.get(e.list);
    const decl = slot === undefined ? undefined : this.ir.facts[slot];
    if (slot === undefined || decl?.type.kind !== 'list') throw new Unsupported('aggregate over a non-list');
    const n = this.recN++;
    const rec: Rec = {
      v: `r${n}`,
      i: `i${n}`,
      list: e.list,
      fields: new Map(decl.type.fields.map((f, idx) => [f.name, { idx, kind: kindOfDecl(f.type.kind) }])),
    };
    const rs: Scope = { ...s, rec };
    const rctx: EvalContext = { shared: s.typeCtx.shared, rule: s.typeCtx.rule, record: { list: e.list, index: -1, fields: {} } };
    const t = b.tmp();
    const A = `f${slot}`;
    const fn: AggregateFn = e.fn;
    // The where and value of the current record, as statements and the variable holding each.
    const where = (): string => {
      if (!e.where) return 'true';
      const o = this.expr(e.where, rs, b);
      if (o.k !== 'boolean') throw new Unsupported('where of non-boolean');
      return o.x;
    };
    const value = (): Out => {
      if (!e.value) throw new Unsupported(`${fn} without a value`);
      return this.expr(e.value, rs, b);
    };
    const wu = b.tmp(); // merged unknown wheres
    const vu = b.tmp(); // merged unknown values
    const acc = b.tmp();
    const cnt = b.tmp();
    const loop = (body: string): string => `for (let ${rec.i} = 0; ${rec.i} < ${A}.length; ${rec.i}++) {\nconst ${rec.v} = ${A}[${rec.i}];\n${body}\n}`;
    const add = (to: string, x: string): string => `${to} = ${to} === undefined ? ${x} : rt.mu(${to}, ${x});`;
    const both = `${wu} !== undefined && ${vu} !== undefined ? rt.mu(${wu}, ${vu}) : ${wu} !== undefined ? ${wu} : ${vu} !== undefined ? ${vu} : `;
    let k: UKind;
    let code: string;
    switch (fn) {
      case 'any':
      case 'all': {
        const isAny = fn === 'any';
        const { code: body } = b.block(() => {
          const w = where();
          const each = b.tmp();
          if (e.value) {
            const vb = b.block(() => {
              const v = value();
              if (v.k !== 'boolean') throw new Unsupported(`${fn} of non-boolean`);
              return v.x;
            });
            const v = vb.x;
            // any: kleeneAnd(where, value); all: kleeneOr(not where, value).
            if (isAny) b.emit(`if (${w} === false) ${each} = false; else {\n${vb.code}\n${each} = ${v} === false ? false : ${w} === true && ${v} === true ? true : rt.mu(${w}, ${v});\n}`);
            else b.emit(`if (${w} === false) ${each} = true; else {\n${vb.code}\n${each} = ${v} === true ? true : ${w} === true ? ${v} : ${v} === false ? ${w} : rt.mu(${w}, ${v});\n}`);
          } else b.emit(`${each} = ${w};`);
          const decides = isAny ? 'true' : 'false';
          const neutral = isAny ? 'false' : 'true';
          b.emit(`if (${each} === ${decides}) { ${acc} = ${decides}; break; }\nif (${each} !== ${neutral}) ${acc} = ${acc} === ${neutral} ? ${each} : rt.mu(${acc}, ${each});`);
          return '';
        });
        code = `${acc} = ${isAny ? 'false' : 'true'};\n${loop(body)}\n${t} = ${acc};`;
        k = 'boolean';
        break;
      }
      case 'count':
      case 'ratio': {
        if (fn === 'ratio' && e.value) {
          const { code: body } = b.block(() => {
            const w = where();
            const v = value();
            if (!(NUMERIC.has(v.k) || v.k === 'money')) throw new Unsupported(`ratio of ${v.k}`);
            b.emit(`if (${w} !== true && ${w} !== false) ${add(wu, w)}`);
            b.emit(`if (${uk(v.x, v.k)}) ${add(vu, v.x)} else { ${acc} += ${v.x}; if (${w} === true) ${cnt} += ${v.x}; }`);
            return '';
          });
          code = `${wu} = undefined; ${vu} = undefined; ${acc} = 0; ${cnt} = 0;\n${loop(body)}\n${t} = ${both}${acc} === 0 ? rt.DIV0 : ${cnt} / ${acc};`;
          k = 'percent';
          break;
        }
        const { code: body } = b.block(() => {
          const w = where();
          b.emit(`if (${w} === true) ${cnt}++; else if (${w} !== false) ${add(wu, w)}`);
          return '';
        });
        const done = fn === 'count' ? cnt : `${A}.length === 0 ? rt.DIV0 : ${cnt} / ${A}.length`;
        code = `${wu} = undefined; ${cnt} = 0;\n${loop(body)}\n${t} = ${wu} !== undefined ? ${wu} : ${done};`;
        k = fn === 'count' ? 'number' : 'percent';
        break;
      }
      case 'sum':
      case 'min':
      case 'max':
      case 'avg': {
        let vk = 'number' as UKind;
        const { code: body } = b.block(() => {
          const w = where();
          b.emit(`if (${w} !== false) {`);
          b.emit(`if (${w} !== true) ${add(wu, w)}`);
          const v = value();
          vk = v.k;
          if (!(NUMERIC.has(v.k) || v.k === 'money' || (v.k === 'date' && (fn === 'min' || fn === 'max')))) throw new Unsupported(`${fn} of ${v.k}`);
          let take: string;
          if (fn === 'sum') take = `${acc} = ${cnt} === 0 ? ${v.x} : ${acc} + ${v.x};`;
          else if (fn === 'avg') take = `${acc} += ${v.x};`;
          else take = `if (${cnt} === 0 || ${v.x} - ${acc} ${fn === 'min' ? '<' : '>'} 0) ${acc} = ${v.x};`;
          b.emit(`if (${uk(v.x, v.k)}) ${add(vu, v.x)} else if (${w} === true) { ${take} ${cnt}++; }`);
          b.emit('}');
          return '';
        });
        let done: string;
        if (fn === 'sum') {
          const sk = e.value ? staticKind(e.value, rctx) : undefined;
          const zk: UKind = sk === 'money' ? 'money' : sk === 'percent' ? 'percent' : 'number';
          // The zero of an empty sum is of the static type; it must be the values' run-time kind.
          if (zk !== vk) throw new Unsupported('sum whose static and run-time kinds differ');
          done = `${cnt} === 0 ? 0 : ${acc}`;
        } else {
          const empty = this.constant(unknown([], [MSG.emptyAggregate({ fn, list: e.list })]));
          done = `${cnt} === 0 ? ${empty} : ${fn === 'avg' && vk === 'money' ? `rt.rha(${acc} / ${cnt})` : fn === 'avg' ? `${acc} / ${cnt}` : acc}`;
        }
        code = `${wu} = undefined; ${vu} = undefined; ${acc} = ${fn === 'avg' ? '0' : 'undefined'}; ${cnt} = 0;\n${loop(body)}\n${t} = ${both}${done};`;
        k = vk;
        break;
      }
    }
    b.emit(`if (${A} === ${this.constant(unknown([e.list]))}) ${t} = ${A}; else {\n${code}\n}`);
    return { x: t, k };
  }
}

/** The body source as a standalone ES module (`tiaowen build`): statics inlined as a JSON literal. */
export function standaloneModule(g: Generated, policyJson: string, runtimeSpecifier: string, factsValidatorSource?: string): string {
  return [
    '// Generated by tiaowen build from the validated IR: do not edit.',
    `import { fromFactory, VALIDATOR_REQUIRES } from ${lit(runtimeSpecifier)};`,
    `const S = JSON.parse(${lit(JSON.stringify(g.statics))});`,
    `const policy = JSON.parse(${lit(policyJson)});`,
    `function factory(rt, S) {\n${g.source}\n}`,
    ...(factsValidatorSource === undefined
      ? ['export default fromFactory(policy, { statics: S, factory });']
      : [
          // ajv's standalone CommonJS, given a module object and a require that serves only the
          // validator runtime the engine exports (the module may live where ajv cannot be found).
          'const factsModule = { exports: {} };',
          '(function (module, exports, require) {',
          factsValidatorSource,
          '})(factsModule, factsModule.exports, (id) => {',
          '  const m = VALIDATOR_REQUIRES[id];',
          '  if (m === undefined) throw new Error("the facts validator needs " + id);',
          '  return m;',
          '});',
          'export default fromFactory(policy, { statics: S, factory, factsValidator: factsModule.exports });',
        ]),
    '',
  ].join('\n');
}
