/**
 * The impact report as an XLSX workbook (exceljs): 摘要 Summary (sentences and figures),
 * 分组 Breakdown (per group value, when grouped) and 变化记录 Changed records. Headers are
 * Chinese with the English after them; rules are named by title and article, never by id.
 */
import ExcelJS from 'exceljs';
import type { JobChange } from '../store/store.ts';
import { DIRECTIONS, DIRECTION_WORDS, OUTCOME_WORDS, groupValue, outcomeClasses, ruleMoves, type ImpactReport } from './report.ts';

/** Changed records written to the sheet at most; the JSONL/CSV download has them all. */
export const XLSX_CHANGES_MAX = 100_000;

export const SHEETS = { summary: '摘要 Summary', breakdown: '分组 Breakdown', changes: '变化记录 Changed records' } as const;

const both = (t: { zh: string; en?: string }) => (t.en && t.en !== t.zh ? `${t.zh} / ${t.en}` : t.zh);

function header(sheet: ExcelJS.Worksheet, cells: string[]): void {
  const row = sheet.addRow(cells);
  row.font = { bold: true };
}

export async function reportXlsx(report: ImpactReport, changes: AsyncIterable<JobChange>): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'tiaowen';
  const title = (rule: string) => {
    const r = report.rules.find((x) => x.rule === rule);
    return r ? `${r.title}(${r.article})` : rule;
  };

  const s = wb.addWorksheet(SHEETS.summary);
  s.columns = [{ width: 36 }, { width: 18 }, { width: 18 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }];
  header(s, ['摘要 Summary']);
  for (const t of report.summary) s.addRow([t.zh]);
  for (const t of report.summary) s.addRow([t.en]);
  s.addRow([]);
  header(s, ['项目 Item', '基线 Baseline', '候选 Candidate']);
  s.addRow(['政策版本 Version', `${report.baseline.policy}@${report.baseline.version}`, `${report.candidate.policy}@${report.candidate.version}`]);
  s.addRow(['记录数 Records', report.total, report.total]);
  s.addRow(['结论变化的记录 Records that changed verdict', report.changed, report.changed]);
  s.addRow([]);
  header(s, ['政策变化 Policy change', '规则 Rule', '条款 Article']);
  for (const r of report.change.added) s.addRow(['新增 Added', r.title, r.article]);
  for (const r of report.change.removed) s.addRow(['删除 Removed', r.title, r.article]);
  for (const r of report.change.changed) s.addRow(['修改 Changed', r.title, r.article, r.fields.join(', ')]);
  for (const p of report.change.parameters) {
    for (const v of p.values) s.addRow(['参数 Parameter', p.label, `${v.from}: ${v.old ?? '—'} → ${v.new ?? '—'}`]);
  }
  s.addRow([]);
  header(s, ['规则 Rule', '条款 Article', '基线触发 Fired before', '候选触发 Fired after', ...DIRECTIONS.map((d) => both(DIRECTION_WORDS[d]!))]);
  for (const r of report.rules) s.addRow([r.title, r.article, r.baseline.fired, r.candidate.fired, ...DIRECTIONS.map((d) => r.directions[d])]);
  s.addRow([]);
  header(s, ['结论 Verdict', '基线 Before', '候选 After', '增加 Gained', '减少 Lost']);
  for (const o of report.outcomes) s.addRow([both(o.label), o.baseline, o.candidate, o.gained, o.lost]);
  if (report.amounts.length) {
    s.addRow([]);
    header(s, ['金额 Amount', '基线(元) Before (CNY)', '候选(元) After (CNY)', '差额(元) Difference (CNY)']);
    // Numbers, so the sheet can sum them; exact to the fen as the engine computed them.
    for (const a of report.amounts) s.addRow([both(a.label), Number(a.baselineYuan), Number(a.candidateYuan), Number(a.deltaYuan)]);
  }

  const b = wb.addWorksheet(SHEETS.breakdown);
  if (report.breakdown) {
    b.columns = [{ width: 24 }, { width: 12 }, { width: 12 }, ...DIRECTIONS.map(() => ({ width: 14 }))];
    header(b, [`${both(report.breakdown.label)}`, '记录数 Records', '变化 Changed', ...DIRECTIONS.map((d) => both(DIRECTION_WORDS[d]!))]);
    for (const g of report.breakdown.groups) b.addRow([both(g.label), g.records, g.changed, ...DIRECTIONS.map((d) => g.directions[d])]);
  } else b.addRow(['未选择分组列 No column chosen to group by']);

  const c = wb.addWorksheet(SHEETS.changes);
  const by = report.breakdown;
  header(c, ['行号 Line', ...(by ? [both(by.label)] : []), '变化的规则 Rules that changed', '基线结论 Verdict before', '候选结论 Verdict after', '记录 Record']);
  c.columns = [{ width: 10 }, ...(by ? [{ width: 16 }] : []), { width: 60 }, { width: 18 }, { width: 18 }, { width: 60 }];
  const words = (classes: string[]) => classes.map((k) => OUTCOME_WORDS[k]?.zh ?? k).join('、');
  let n = 0;
  for await (const ch of changes) {
    if (n++ >= XLSX_CHANGES_MAX) break;
    const bo = ch.baseline as Parameters<typeof outcomeClasses>[0];
    const co = ch.candidate as Parameters<typeof outcomeClasses>[0];
    const moves = ruleMoves(bo, co).map((m) => `${title(m.rule)}:${DIRECTION_WORDS[m.direction]!.zh}`);
    c.addRow([
      ch.line,
      ...(by ? [groupValue(ch, by.by, by.source) ?? ''] : []),
      moves.join(';'),
      words(outcomeClasses(bo)),
      words(outcomeClasses(co)),
      JSON.stringify(ch.record),
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
