/**
 * Readable words for what a policy says: conditions in Chinese or English using the labels
 * officials know (`不良贷款率 > 不良贷款率红线` → `不良贷款率 大于 不良贷款率红线(3%)`), values,
 * types, dates and periods. Pure functions of the IR, tested without a browser.
 */
import type { Expr, FactDecl, FactType, Literal, ParameterDecl, PolicyIR } from '../../engine/ir/types.ts';
import type { Lang } from './i18n/index.ts';

const OPS: Record<string, { zh: string; en: string }> = {
  '==': { zh: '等于', en: 'equals' },
  '!=': { zh: '不等于', en: 'is not' },
  '<': { zh: '小于', en: 'is less than' },
  '<=': { zh: '不超过', en: 'is at most' },
  '>': { zh: '超过', en: 'is more than' },
  '>=': { zh: '不少于', en: 'is at least' },
};

const ARITH: Record<string, string> = { '+': '+', '-': '−', '*': '×', '/': '÷' };

const FN: Record<string, { zh: string; en: string }> = {
  min: { zh: '最小值', en: 'min' },
  max: { zh: '最大值', en: 'max' },
  abs: { zh: '绝对值', en: 'abs' },
  round: { zh: '取整', en: 'round' },
  daysBetween: { zh: '相隔天数', en: 'days between' },
  workdaysBetween: { zh: '相隔工作日数', en: 'working days between' },
  monthsBetween: { zh: '相隔月数', en: 'months between' },
  yearsBetween: { zh: '周岁', en: 'years between' },
  known: { zh: '已填写', en: 'is given' },
};

const UNITS: Record<string, { zh: string; en: string }> = {
  days: { zh: '天', en: 'days' },
  workdays: { zh: '个工作日', en: 'working days' },
  months: { zh: '个月', en: 'months' },
  years: { zh: '年', en: 'years' },
};

export interface WordsContext {
  lang: Lang;
  /** Labels by name: facts, list fields, parameters, definitions. */
  labels: Map<string, string>;
  /** Parameter values to show beside the name, e.g. `(3%)`; absent: names only. */
  paramValues?: Map<string, string>;
  /** Enum values → their labels, so `用途 == "a1"` reads with the label officials know. */
  enumLabels?: Map<string, string>;
}

export function wordsContext(ir: PolicyIR, lang: Lang, asOf?: string): WordsContext {
  const labels = new Map<string, string>();
  const label = (d: { name: string; label?: string; labelEn?: string }) => (lang === 'en' ? d.labelEn || d.label || d.name : d.label || d.name);
  const enumLabels = new Map<string, string>();
  const addFacts = (fs: FactDecl[]) => {
    for (const f of fs) {
      labels.set(f.name, label(f));
      if (f.type.kind === 'list') addFacts(f.type.fields);
      if (f.type.kind === 'enum') for (const v of f.type.values) enumLabels.set(v.value, lang === 'en' ? v.labelEn || v.label : v.label);
    }
  };
  addFacts(ir.facts);
  for (const p of ir.parameters) labels.set(p.name, label(p));
  for (const d of ir.definitions) labels.set(d.name, label(d));
  const paramValues = new Map<string, string>();
  if (asOf) {
    for (const p of ir.parameters) {
      const v = parameterValueOn(p, asOf);
      if (v !== undefined) paramValues.set(p.name, literalWords(v, p.type.kind, lang));
    }
  }
  return { lang, labels, paramValues, enumLabels };
}

export function parameterValueOn(p: ParameterDecl, date: string): Literal | undefined {
  let found: Literal | undefined;
  for (const v of p.values) if (v.from <= date) found = v.value;
  return found;
}

/** A literal as officials write it: money with 元, percent with %, booleans as 是/否. */
export function literalWords(v: Literal, kind: string, lang: Lang): string {
  if (typeof v === 'boolean') return v ? (lang === 'zh' ? '是' : 'yes') : lang === 'zh' ? '否' : 'no';
  if (kind === 'money') return moneyWords(Number(v), lang);
  if (kind === 'percent') return `${trimNumber(Number(v))}%`;
  return String(v);
}

export function moneyWords(yuan: number, lang: Lang): string {
  if (lang === 'zh' && Math.abs(yuan) >= 10000 && yuan % 100 === 0) return `${trimNumber(yuan / 10000)}万元`;
  const s = Number.isInteger(yuan) ? yuan.toLocaleString('en-US') : yuan.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return lang === 'zh' ? `${s}元` : `¥${s}`;
}

function trimNumber(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

/** Loosest first, as in docs/language.md; used to decide where brackets are needed. */
function precedence(e: Expr): number {
  switch (e.type) {
    case 'if':
      return 1;
    case 'or':
      return 2;
    case 'and':
      return 3;
    case 'not':
      return 4;
    case 'compare':
    case 'between':
    case 'in':
      return 5;
    case 'arith':
      return e.op === '+' || e.op === '-' ? 6 : 7;
    case 'neg':
      return 8;
    default:
      return 9;
  }
}

export function exprWords(e: Expr, ctx: WordsContext): string {
  const zh = ctx.lang === 'zh';
  const sub = (x: Expr, min: number) => {
    const s = exprWords(x, ctx);
    return precedence(x) < min ? `(${s})` : s;
  };
  const name = (n: string, isParam = false) => {
    const l = ctx.labels.get(n) ?? n;
    const v = isParam ? ctx.paramValues?.get(n) : undefined;
    return v !== undefined ? `${l}(${v})` : l;
  };
  switch (e.type) {
    case 'boolean':
      return e.value ? (zh ? '是' : 'true') : zh ? '否' : 'false';
    case 'number':
      return trimNumber(e.value);
    case 'money':
      return moneyWords(e.yuan, ctx.lang);
    case 'percent':
      return `${trimNumber(e.value)}%`;
    case 'date':
      return e.value;
    case 'string':
      return `“${ctx.enumLabels?.get(e.value) ?? e.value}”`;
    case 'duration':
      return zh ? `${e.amount}${UNITS[e.unit].zh}` : `${e.amount} ${UNITS[e.unit].en}`;
    case 'fact':
    case 'field':
    case 'ref':
      return name(e.name);
    case 'param':
      return name(e.name, true);
    case 'asOf':
      return zh ? '评估日' : 'the as-of date';
    case 'not':
      return zh ? `并非${sub(e.arg, 5)}` : `not ${sub(e.arg, 5)}`;
    case 'neg':
      return `−${sub(e.arg, 8)}`;
    case 'and':
      return e.args.map((a) => sub(a, 4)).join(zh ? ',且' : ', and ');
    case 'or':
      // `and` inside `or` is bracketed although it binds tighter: readers of prose do not know that.
      return e.args.map((a) => sub(a, 4)).join(zh ? ',或' : ', or ');
    case 'compare':
      if (e.left.type === 'call' && e.left.fn === 'known') return exprWords(e.left, ctx);
      return `${sub(e.left, 6)} ${zh ? OPS[e.op].zh : OPS[e.op].en} ${sub(e.right, 6)}`;
    case 'arith':
      return `${sub(e.left, precedence(e))} ${ARITH[e.op]} ${sub(e.right, precedence(e) + 1)}`;
    case 'in': {
      const opts = e.options.map((o) => exprWords(o, ctx)).join(zh ? '、' : ', ');
      if (zh) return `${sub(e.value, 6)}${e.negated ? '不属于' : '属于'}${opts}`;
      return `${sub(e.value, 6)} is ${e.negated ? 'not ' : ''}one of ${opts}`;
    }
    case 'between': {
      const lo = `${sub(e.low, 6)}${e.lowInclusive ? '' : zh ? '(不含)' : ' (exclusive)'}`;
      const hi = `${sub(e.high, 6)}${e.highInclusive ? (zh ? '(含)' : ' (inclusive)') : zh ? '(不含)' : ' (exclusive)'}`;
      return zh ? `${sub(e.value, 6)}介于${lo}与${hi}之间` : `${sub(e.value, 6)} is between ${lo} and ${hi}`;
    }
    case 'if':
      return zh
        ? `如果${exprWords(e.cond, ctx)},则${exprWords(e.then, ctx)},否则${exprWords(e.else, ctx)}`
        : `if ${exprWords(e.cond, ctx)} then ${exprWords(e.then, ctx)} else ${exprWords(e.else, ctx)}`;
    case 'call': {
      const args = e.args.map((a) => exprWords(a, ctx));
      if (e.fn === 'known') return zh ? `${args[0]}已填写` : `${args[0]} is given`;
      const f = FN[e.fn] ?? { zh: e.fn, en: e.fn };
      return `${zh ? f.zh : f.en}(${args.join(zh ? ',' : ', ')})`;
    }
    case 'aggregate':
      return aggregateWords(e, ctx);
  }
}

function aggregateWords(e: Extract<Expr, { type: 'aggregate' }>, ctx: WordsContext): string {
  const zh = ctx.lang === 'zh';
  const list = ctx.labels.get(e.list) ?? e.list;
  const where = e.where ? exprWords(e.where, ctx) : undefined;
  const value = e.value ? exprWords(e.value, ctx) : undefined;
  if (zh) {
    const scope = where ? `${list}中${where}的` : `${list}中`;
    switch (e.fn) {
      case 'count':
        return `${scope}记录数`;
      case 'sum':
        return `${scope}${value}合计`;
      case 'min':
        return `${scope}${value}最小值`;
      case 'max':
        return `${scope}${value}最大值`;
      case 'avg':
        return `${scope}${value}平均值`;
      case 'ratio':
        return value ? `${list}中${where ?? '全部'}的${value}占比` : `${list}中${where ?? '全部'}的记录占比`;
      case 'any':
        return `${list}中有记录${where ?? ''}${value ? `且${value}` : ''}`;
      case 'all':
        return value ? `${list}中${where ? `${where}的` : ''}记录均${value}` : `${list}中所有记录均${where ?? ''}`;
    }
  }
  const scope = where ? ` of ${list} where ${where}` : ` of ${list}`;
  switch (e.fn) {
    case 'count':
      return `number of records${scope}`;
    case 'sum':
      return `total ${value}${scope}`;
    case 'min':
      return `smallest ${value}${scope}`;
    case 'max':
      return `largest ${value}${scope}`;
    case 'avg':
      return `average ${value}${scope}`;
    case 'ratio':
      return value ? `share of ${value} in ${list} where ${where ?? 'any'}` : `share of records in ${list} where ${where ?? 'any'}`;
    case 'any':
      return `some record of ${list} ${where ? `has ${where}` : ''}${value ? ` and ${value}` : ''}`.trim();
    case 'all':
      return value ? `every record of ${list}${where ? ` where ${where}` : ''} has ${value}` : `every record of ${list} has ${where ?? ''}`.trim();
  }
}

const TYPE_WORDS: Record<string, { zh: string; en: string }> = {
  boolean: { zh: '是/否', en: 'yes/no' },
  integer: { zh: '整数', en: 'integer' },
  number: { zh: '数值', en: 'number' },
  money: { zh: '金额(元)', en: 'money (yuan)' },
  percent: { zh: '百分比', en: 'percent' },
  date: { zh: '日期', en: 'date' },
  string: { zh: '文本', en: 'text' },
  enum: { zh: '选项', en: 'choice' },
  list: { zh: '列表', en: 'list' },
};

export function typeWords(t: FactType | { kind: string }, lang: Lang): string {
  const w = TYPE_WORDS[t.kind] ?? { zh: t.kind, en: t.kind };
  const base = lang === 'zh' ? w.zh : w.en;
  if (t.kind === 'enum' && 'values' in t) return `${base}:${t.values.map((v) => (lang === 'en' ? v.labelEn || v.label : v.label)).join(lang === 'zh' ? '、' : ', ')}`;
  return base;
}

const JURISDICTIONS: Record<string, { zh: string; en: string }> = {
  central: { zh: '中央', en: 'Central' },
  gansu: { zh: '甘肃省', en: 'Gansu' },
  shanxi: { zh: '山西省', en: 'Shanxi' },
  panjin: { zh: '盘锦市', en: 'Panjin' },
  demo: { zh: '示例', en: 'Demo' },
};

export function jurisdictionWords(j: string, lang: Lang): string {
  const w = JURISDICTIONS[j];
  return w ? `${lang === 'zh' ? w.zh : w.en}` : j;
}

/** Today's date in Asia/Shanghai, where every policy date lives. */
export function todayInShanghai(now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export type PeriodStatus = 'inForce' | 'future' | 'expired';

export function periodStatus(p: { effectiveFrom: string; effectiveUntil?: string }, today: string): PeriodStatus {
  if (p.effectiveFrom > today) return 'future';
  if (p.effectiveUntil && p.effectiveUntil < today) return 'expired';
  return 'inForce';
}

/** A timestamp as local date and minute, for tables. */
export function timeWords(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
  return f.format(d).replace(',', '');
}

/** Reads what was typed into the value the API expects; '' means missing. */
export function readInput(kind: string, raw: string): unknown {
  const v = raw.trim();
  if (v === '') return undefined;
  if (kind === 'boolean') return v === 'true';
  if (kind === 'integer' || kind === 'number' || kind === 'percent') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v; // left as typed: the server says what is wrong with it
  }
  // money stays a string: exact to the fen, and the server explains a malformed amount
  return v;
}

/** Seconds as words: `1分5秒` / `1 min 5 s`. */
export function durationWords(seconds: number, zh: boolean): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  const r = s % 60;
  if (zh) return m ? `${m}分${r}秒` : `${r}秒`;
  return m ? `${m} min ${r} s` : `${r} s`;
}
