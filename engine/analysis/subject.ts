/**
 * What an outcome is about, for conflicts: the runtime's test (`sameSubject` in
 * engine/evaluate/decide.ts), so the analysis never calls a conflict what a decision would not,
 * and never misses one a decision would report. Here it is given a label for messages.
 *
 * Why that test: the IR has no field naming an outcome's subject. commendation/accountability are
 * about the unit or person the facts describe (the library's cases expect 表彰与问责并存 reported
 * across articles); eligible/ineligible are about a benefit, which only `consequences` name
 * (第二十条 "一年内不得提拔" is not 第六条's voluntary retirement). Citations and facts read do not
 * work: a county variant's cap (示例县 第三条, 贷款金额) and the base's 建档立卡 rule (指南 二(一))
 * are about one loan. A clause naming the subject in the language would replace this.
 */
import { CONTRADICTORY_KINDS, type RuleIR } from '../ir/types.ts';
import { sameSubject as runtimeSameSubject } from '../evaluate/decide.ts';

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

export function sameSubject(a: RuleIR, b: RuleIR): Subject {
  if (!runtimeSameSubject(a, b)) return { same: false, label: '' };
  const kinds = [a.then.kind, b.then.kind];
  if (kinds.includes('commendation') || kinds.includes('accountability')) {
    return { same: true, label: '事实所述的单位或个人 / the unit or person the facts describe' };
  }
  const shared = a.then.consequences.filter((c) => b.then.consequences.includes(c));
  return { same: true, label: shared.length > 0 ? shared.join('、') : '本政策的事项 / what the policy grants' };
}
