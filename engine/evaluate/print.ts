/**
 * IR expressions printed back as DSL text, for traces. A stand-in until engine/ir exposes its
 * printer; precedence follows docs/language.md so the output parses back to the same tree.
 */
import type { Expr } from '../ir/types.ts';

// Loosest first: if, or, and, not, comparison, + -, * /, unary -, primary.
const PREC = { if: 0, or: 1, and: 2, not: 3, cmp: 4, add: 5, mul: 6, neg: 7, primary: 8 } as const;

function precOf(e: Expr): number {
  switch (e.type) {
    case 'if':
      return PREC.if;
    case 'or':
      return PREC.or;
    case 'and':
      return PREC.and;
    case 'not':
      return PREC.not;
    case 'compare':
    case 'in':
    case 'between':
      return PREC.cmp;
    case 'arith':
      return e.op === '+' || e.op === '-' ? PREC.add : PREC.mul;
    case 'neg':
      return PREC.neg;
    default:
      return PREC.primary;
  }
}

const UNIT = { days: 'days', workdays: 'workdays', months: 'months', years: 'years' } as const;

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function printExpr(e: Expr): string {
  const wrap = (x: Expr, min: number): string => (precOf(x) < min ? `(${printExpr(x)})` : printExpr(x));
  switch (e.type) {
    case 'boolean':
      return e.value ? 'true' : 'false';
    case 'number':
      return String(e.value);
    case 'money':
      return `${e.yuan}元`;
    case 'percent':
      return `${e.value}%`;
    case 'date':
      return e.value;
    case 'string':
      return quote(e.value);
    case 'duration':
      return `${e.amount} ${UNIT[e.unit]}`;
    case 'fact':
    case 'field':
    case 'param':
    case 'ref':
      return e.name;
    case 'asOf':
      return 'as_of';
    case 'not':
      return `not ${wrap(e.arg, PREC.not)}`;
    case 'neg':
      return `-${wrap(e.arg, PREC.neg)}`;
    case 'and':
    case 'or': {
      const p = e.type === 'and' ? PREC.and : PREC.or;
      return e.args.map((a) => wrap(a, p + 1)).join(` ${e.type} `);
    }
    case 'compare':
      return `${wrap(e.left, PREC.add)} ${e.op} ${wrap(e.right, PREC.add)}`;
    case 'arith': {
      const p = precOf(e);
      return `${wrap(e.left, p)} ${e.op} ${wrap(e.right, p + 1)}`;
    }
    case 'in':
      return `${wrap(e.value, PREC.add)} ${e.negated ? 'not in' : 'in'} [${e.options.map(printExpr).join(', ')}]`;
    case 'between':
      return (
        `${wrap(e.value, PREC.add)} between ${wrap(e.low, PREC.add)}${e.lowInclusive ? '' : ' exclusive'}` +
        ` and ${wrap(e.high, PREC.add)}${e.highInclusive ? '' : ' exclusive'}`
      );
    case 'if':
      return `if ${printExpr(e.cond)} then ${printExpr(e.then)} else ${wrap(e.else, PREC.if)}`;
    case 'call':
      return `${e.fn}(${e.args.map(printExpr).join(', ')})`;
    case 'aggregate': {
      const parts = [e.list];
      let tail = e.value ? `, ${printExpr(e.value)}` : '';
      if (e.where) tail += ` where ${printExpr(e.where)}`;
      return `${e.fn}(${parts.join('')}${tail})`;
    }
  }
}
