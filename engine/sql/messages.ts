/** zh/en diagnostics of the SQL stage (`sql.*`), shaped as engine/messages.ts shapes its own. */
import type { Diagnostic } from '../../dsl/diagnostics.ts';

interface Entry {
  message: { zh: string; en: string };
  hint: { zh: string; en: string };
}

const ENTRIES = {
  /** A construct the SQL cannot express exactly. */
  'sql.unsupported': (p: { construct: string; where: string }): Entry => ({
    message: { zh: `${p.where}:${p.construct} 无法编译为 SQL`, en: `${p.where}: ${p.construct} cannot be compiled to SQL` },
    hint: {
      zh: '改写该表达式,或用进程内模拟(--engine node)',
      en: 'rewrite the expression, or simulate in process (--engine node)',
    },
  }),
  'sql.too-many-facts': (p: { count: number }): Entry => ({
    message: {
      zh: `事实与列表字段共 ${p.count} 个,超过缺失事实掩码的 59 位`,
      en: `${p.count} facts and list fields exceed the 59 bits of the missing-facts mask`,
    },
    hint: { zh: '用进程内模拟(--engine node)', en: 'simulate in process (--engine node)' },
  }),
  'sql.bad-as-of': (p: { asOf: string }): Entry => ({
    message: { zh: `评估日期 ${p.asOf} 不是 YYYY-MM-DD 格式的日期`, en: `as-of date ${p.asOf} is not a date written YYYY-MM-DD` },
    hint: { zh: '例如 2019-12-31', en: 'for example 2019-12-31' },
  }),
  'sql.cycle': (p: { name: string }): Entry => ({
    message: { zh: `定义 ${p.name} 循环引用自身`, en: `definition ${p.name} refers to itself` },
    hint: { zh: '检查定义之间的引用', en: 'check the references between definitions' },
  }),
} as const;

export type SqlCode = keyof typeof ENTRIES;

export function sqlDiagnostic<C extends SqlCode>(code: C, params: Parameters<(typeof ENTRIES)[C]>[0]): Diagnostic {
  const e = (ENTRIES[code] as (p: typeof params) => Entry)(params);
  return { code, severity: 'error', message: e.message, hint: e.hint };
}

/** Raised inside the compiler to refuse a construct; `compileSql` turns it into its diagnostic. */
export class SqlRefusal extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message.en);
  }
}
