/**
 * A changed rule's region in words, fact by fact (`3% < 不良贷款率 ≤ 5%`, `用途合规 为 是`), for
 * the CLI, the diff API and the admin UI. Pure: no solver here, so the browser can import it.
 */
import { displayValue } from '../diff/index.ts';
import type { FactDecl } from '../ir/types.ts';
import type { Bound, FactRange } from './region.ts';

/** Whole-unit display of an integer-valued bound: `> 50000` reads better than `≥ 50000.01`. */
export function tidyBound(decl: FactDecl, b: Bound, dir: 'min' | 'max'): Bound {
  if (b.strict) return b;
  const k = decl.type.kind;
  if (k !== 'money' && k !== 'integer') return b;
  const unit = k === 'money' ? 0.01 : 1;
  const x = Number(b.value);
  const next = Math.round((dir === 'min' ? x - unit : x + unit) * 100) / 100;
  const zeros = (n: number) => {
    let m = Math.round(Math.abs(n) * 100);
    let z = 0;
    while (m > 0 && m % 10 === 0 && z < 12) (m /= 10), z++;
    return z;
  };
  return zeros(next) > zeros(x) ? { value: k === 'money' ? String(next) : next, strict: true } : b;
}

function valueText(decl: FactDecl, v: unknown): { zh: string; en: string } {
  const k = decl.type.kind;
  if (k === 'list' || k === 'enum') return { zh: String(v), en: String(v) };
  return displayValue(k, k === 'money' ? Number(v) : v);
}

/** One fact's range in both languages, with the fact's label. */
export function rangeWords(r: FactRange, decl: FactDecl | undefined): { zh: string; en: string } {
  const zhName = decl?.label ?? r.fact;
  const enName = decl?.labelEn ?? decl?.label ?? r.fact;
  if (r.missing === 'always') return { zh: `未提供${zhName}`, en: `${enName} not given` };
  const parts = { zh: [] as string[], en: [] as string[] };
  const add = (zh: string, en: string) => (parts.zh.push(zh), parts.en.push(en));
  if (decl && (r.min || r.max)) {
    const min = r.min && tidyBound(decl, r.min, 'min');
    const max = r.max && tidyBound(decl, r.max, 'max');
    const lo = min && valueText(decl, min.value);
    const hi = max && valueText(decl, max.value);
    const lt = (b: Bound) => (b.strict ? '<' : '≤');
    if (min && max && lo && hi) add(`${lo.zh} ${lt(min)} ${zhName} ${lt(max)} ${hi.zh}`, `${lo.en} ${lt(min)} ${enName} ${lt(max)} ${hi.en}`);
    else if (min && lo) add(`${zhName} ${min.strict ? '>' : '≥'} ${lo.zh}`, `${enName} ${min.strict ? '>' : '≥'} ${lo.en}`);
    else if (max && hi) add(`${zhName} ${lt(max)} ${hi.zh}`, `${enName} ${lt(max)} ${hi.en}`);
  }
  if (r.values && decl) {
    const vs = r.values.map((v) => valueText(decl, v));
    if (vs.length === 1) add(`${zhName}为${vs[0]!.zh}`, `${enName} is ${vs[0]!.en}`);
    else add(`${zhName}为${vs.map((v) => v.zh).join('、')}之一`, `${enName} is one of ${vs.map((v) => v.en).join(', ')}`);
  }
  if (parts.zh.length === 0) add(`${zhName}已提供`, `${enName} given`);
  if (r.missing === 'possible') return { zh: `${parts.zh.join(',')}(或未提供)`, en: `${parts.en.join(', ')} (or not given)` };
  return { zh: parts.zh.join(','), en: parts.en.join(', ') };
}
