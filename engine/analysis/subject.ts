/**
 * What an outcome is about, for conflicts. The IR has no field naming an outcome's subject (the
 * benefit granted or denied), and the runtime's `CONTRADICTORY_KINDS` check pairs outcomes
 * policy-wide. So the subject is inferred here, from what the IR does carry:
 *
 * - commendation / accountability are about the unit or person the facts describe: one subject
 *   per policy (the library's cases rely on this: 表彰与问责并存 is reported across articles);
 * - eligible / ineligible are about a benefit: two of them are about the same benefit when they
 *   cite the same article of the same document (its top level: 二(三) → 二, 第九条第(二)项 →
 *   第九条) or when their conditions read a common fact. Two eligibility rules of different
 *   articles on disjoint facts (自愿退休 and 不得提拔) are about different benefits.
 *
 * A clause naming the subject in the language would replace the inference; until then this is
 * the one place that decides it.
 */
import { CONTRADICTORY_KINDS, type PolicyIR, type RuleIR } from '../ir/types.ts';
import { conditionReads } from './usage.ts';

/** `二(三)` → `二`, `第三十三条第(四)项` → `第三十三条`, `三(三)1` → `三`. */
export function topArticle(article: string): string {
  const tiao = article.indexOf('条');
  if (tiao >= 0) return article.slice(0, tiao + 1);
  const m = /^[^(（\d]+/.exec(article.trim());
  return m ? m[0].trim() : article.trim();
}

export function contradictoryKinds(a: RuleIR, b: RuleIR): boolean {
  const x = a.then.kind;
  const y = b.then.kind;
  return CONTRADICTORY_KINDS.some(([p, q]) => (x === p && y === q) || (x === q && y === p));
}

export interface Subject {
  same: boolean;
  /** What they are both about, for the message. */
  label: string;
}

/** Whether two rules with contradictory kinds are about the same subject (see the file comment). */
export function sameSubject(ir: PolicyIR, a: RuleIR, b: RuleIR): Subject {
  const kinds = new Set([a.then.kind, b.then.kind]);
  if (kinds.has('commendation') || kinds.has('accountability')) {
    return { same: true, label: '事实所述的单位或个人 / the unit or person the facts describe' };
  }
  const ta = topArticle(a.cites.article);
  if (a.cites.source === b.cites.source && ta === topArticle(b.cites.article)) {
    return { same: true, label: `${a.cites.source} ${ta}` };
  }
  const fa = conditionReads(ir, a).facts;
  const common = [...conditionReads(ir, b).facts].filter((f) => fa.has(f));
  if (common.length > 0) return { same: true, label: common.join('、') };
  return { same: false, label: '' };
}
