/**
 * The benchmark policy's 20 rules as one @gorules/zen-engine decision table (hit policy collect,
 * one boolean input column per rule). ZEN's expression language reads only ASCII names, so records
 * are given to it with English keys (`toZenInput`, done before timing). It is two-valued (a
 * missing fact is null, never "undetermined") and has no official working-day calendar, so
 * working-day limits are read as calendar days: the same rules as closely as ZEN can state them.
 */
import { AS_OF } from './load.ts';

const days = (a: string, b: string) => `(${a} != null and ${b} != null and (date(${b}) - date(${a})) / 86400`;
const NPL = 'sum(map(filter(loans, #.overdue >= 90), #.amount)) / sum(map(loans, #.amount))';

export const ZEN_RULES: [string, string][] = [
  ['npl_red_line', `${NPL} > 0.03`],
  ['fraud_penalty', 'fraud == true'],
  ['npl_excess_not_repaid', `excessFound != null and ((excessRepaid == true and ${days('excessFound', 'excessRepaidOn')} > 30)) or (excessRepaid == false and (date(asOf) - date(excessFound)) / 86400 > 30))`],
  ['npl_not_blacklisted', 'some(loans, #.overdue >= 90 and #.blacklisted == false)'],
  ['overdue_interest_claimed', 'overdueInterest > 0'],
  ['subsidy_report_late', `${days('settled', 'reported')} > 1)`],
  ['subsidy_review_late', `${days('reported', 'toProvince')} > 8)`],
  ['subsidy_clearing_late', `${days('toProvince', 'cleared')} > 5)`],
  ['subsidy_payment_late', `${days('cleared', 'paid')} > 1)`],
  ['risk_claim_eligible', 'principalOverdue >= 90 and unrecoverable == true'],
  ['risk_claim_not_eligible', 'principalOverdue != null and not (principalOverdue >= 90 and unrecoverable == true)'],
  ['risk_compensation_shares', 'principalOverdue >= 90 and unrecoverable == true'],
  ['risk_review_late', `${days('filed', 'reviewed')} > 15)`],
  ['bank_may_deduct', 'compensated == false and classified != null and (date(asOf) - date(classified)) / 86400 > 30'],
  ['recovery_return_late', `${days('recovered', 'deposited')} > 10)`],
  ['loan_above_cap', 'some(loans, #.amount > 50000)'],
  ['long_overdue', 'len(filter(loans, #.overdue >= 180)) > 0'],
  ['npl_near_red_line', `${NPL} > 0.024 and ${NPL} <= 0.03`],
  ['subsidy_claim_above_basis', 'claimed > subsidy'],
  ['risk_claim_too_early', 'filed != null and principalOverdue < 90'],
];

/** The JDM graph: input → decision table → output. */
export function zenDecisionTable(): object {
  return {
    nodes: [
      { id: 'in', type: 'inputNode', name: 'facts', position: { x: 0, y: 0 } },
      {
        id: 'table',
        type: 'decisionTableNode',
        name: 'loan-book-bench',
        position: { x: 200, y: 0 },
        content: {
          hitPolicy: 'collect',
          inputs: ZEN_RULES.map(([id, expr]) => ({ id: `in_${id}`, name: id, field: expr })),
          outputs: [{ id: 'rule', name: 'rule', field: 'rule' }],
          rules: ZEN_RULES.map(([id]) => ({ _id: id, [`in_${id}`]: 'true', rule: JSON.stringify(id) })),
        },
      },
      { id: 'out', type: 'outputNode', name: 'decision', position: { x: 400, y: 0 } },
    ],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: 'table', type: 'edge' },
      { id: 'e2', sourceId: 'table', targetId: 'out', type: 'edge' },
    ],
  };
}

const KEYS: Record<string, string> = {
  弄虚作假: 'fraud', 贴息金额: 'subsidy', 申报贴息额: 'claimed', 其中逾期利息: 'overdueInterest', 结息日: 'settled',
  贴息报表报送日期: 'reported', 清算报告报省日期: 'toProvince', 清算完成日期: 'cleared', 贴息拨付日期: 'paid',
  补偿本金: 'principal', 补偿利息: 'interest', 补偿逾期利息: 'odInterest', 本金逾期天数: 'principalOverdue',
  追索无果: 'unrecoverable', 补偿申请提交日期: 'filed', 补偿审核完成日期: 'reviewed', 划为不良日期: 'classified',
  补偿资金已拨付: 'compensated', 收回本息日期: 'recovered', 存入专户日期: 'deposited', 超红线认定日期: 'excessFound',
  红线以上不良已偿还: 'excessRepaid', 红线以上不良偿还日期: 'excessRepaidOn',
};

export function toZenInput(rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { asOf: AS_OF };
  for (const [k, v] of Object.entries(rec)) {
    if (k === '贷款') {
      out.loans = (v as Record<string, unknown>[]).map((l) => ({ amount: l.金额, overdue: l.逾期天数, blacklisted: l.纳入黑名单 }));
    } else out[KEYS[k] ?? k] = v;
  }
  return out;
}
