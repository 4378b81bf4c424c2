/**
 * One unpublished text analysed as `tiaowen check` would once it joins the library: the editor's
 * analysis (the server's `POST /api/v1/analyze`, run in a worker thread). The caller sends the
 * compiled draft and the published versions it needs (its bases and the other versions of its id);
 * plain data, so it crosses a thread boundary.
 */
import type { PolicyIR } from '../ir/types.ts';
import { PolicyLibrary } from '../library/library.ts';
import { checkFindings } from './check.ts';
import { FINDINGS, QUESTIONS } from './messages.ts';
import type { Finding } from './types.ts';

export interface DraftAnalysisJob {
  /** The draft, compiled. */
  ir: PolicyIR;
  text: string;
  file?: string;
  /** Published versions: the draft's bases (whole chain) and the other versions of its id. */
  library: PolicyIR[];
  /** Per query (ms). */
  timeoutMs: number;
  /** Wall-clock bound for the whole job (epoch ms). */
  deadline: number;
}

/** The library with the draft in place of any published version of the same label; bases first. */
export function draftLibrary(job: Pick<DraftAnalysisJob, 'ir' | 'library'>): PolicyLibrary {
  const lib = new PolicyLibrary();
  const others = job.library.filter((v) => !(v.id === job.ir.id && v.version === job.ir.version));
  // A variant's base must be known before the variant: those without `extends` first.
  for (const v of [...others].sort((a, b) => Number(a.extends !== undefined) - Number(b.extends !== undefined))) lib.add(v);
  lib.add(job.ir);
  return lib;
}

export async function analyzeDraft(job: DraftAnalysisJob, signal?: AbortSignal): Promise<Finding[]> {
  const lib = draftLibrary(job);
  return checkFindings(lib, job.ir, {
    text: job.text,
    ...(job.file !== undefined ? { file: job.file } : {}),
    solver: true,
    timeoutMs: job.timeoutMs,
    deadline: job.deadline,
    ...(signal ? { signal } : {}),
  });
}

/**
 * What is said when the job gave no answer in time (its worker was stopped): one
 * `analysis.solver-unknown` naming every rule of the draft. Never silence, never "no problem".
 */
export function unansweredFinding(ir: PolicyIR, reason: string): Finding {
  const rules = ir.rules.map((r) => r.id);
  return { code: 'analysis.solver-unknown', severity: 'warning', ...FINDINGS['analysis.solver-unknown']({ rules, question: QUESTIONS.whole(), reason }), policy: { id: ir.id, version: ir.version }, rules };
}
