/**
 * Library sync: the policy library on disk against a running deployment. New policies and new
 * versions reach the deployment as drafts, through review, never as published versions; a
 * published version is never touched. The same plan runs from the command line against a server's
 * API (`tiaowen library sync`) and inside the server (`POST /api/v1/library/sync`): only the port
 * differs.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256Hex } from '../../engine/ir/hash.ts';
import type { PolicyIR } from '../../engine/ir/types.ts';
import type { SourceFormat } from '../store/store.ts';

/** One policy version in the library folder, as the server would store it. */
export interface LocalVersion {
  id: string;
  version: string;
  /** The content hash a published version of it has (policyHash of its IR). */
  hash: string;
  format: SourceFormat;
  source: string;
  file: string;
}

/** A library file that does not compile: reported, never proposed. */
export interface LocalProblem {
  file: string;
  errors: string[];
}

export interface RemoteState {
  versions: { id: string; version: string; hash: string }[];
  /** Every draft, whatever its state, with the content hash of its source when it compiles. */
  drafts: { id: number; status: string; hash?: string; sourceHash: string }[];
}

export interface SyncPort {
  remote(): Promise<RemoteState>;
  /** Creates a draft from the file's source; its id. */
  propose(v: LocalVersion): Promise<number>;
}

export type SyncStatus = 'proposed' | 'would-propose' | 'up-to-date' | 'already-proposed' | 'version-taken' | 'invalid';
/** What the file is to the deployment: a policy it lacks, a version it lacks, or a version it has. */
export type SyncChange = 'new-policy' | 'new-version' | 'published';

export interface SyncRow {
  policy: string;
  version: string;
  file: string;
  change: SyncChange | 'invalid';
  status: SyncStatus;
  /** The draft proposed now, or the one already proposing the same content. */
  draft?: number;
  draftStatus?: string;
  note: { zh: string; en: string };
}

/** sha256 of the source text: what a draft is matched by when its source does not compile. */
export const sourceHash = (source: string) => sha256Hex(source);

/**
 * The plan: for each library version, what the deployment has of it. A version label the
 * deployment published with other content is reported and left alone (publish is immutable: the
 * change needs a new version label); content a draft already proposes is not proposed again.
 */
export function planSync(local: readonly LocalVersion[], problems: readonly LocalProblem[], remote: RemoteState): SyncRow[] {
  const rows: SyncRow[] = [];
  const published = new Map(remote.versions.map((v) => [`${v.id}@${v.version}`, v.hash]));
  const ids = new Set(remote.versions.map((v) => v.id));
  for (const v of [...local].sort((a, b) => a.id.localeCompare(b.id) || a.version.localeCompare(b.version))) {
    const base = { policy: v.id, version: v.version, file: v.file };
    const hash = published.get(`${v.id}@${v.version}`);
    if (hash !== undefined) {
      rows.push(
        hash === v.hash
          ? { ...base, change: 'published', status: 'up-to-date', note: { zh: '已发布,内容相同', en: 'published, same content' } }
          : {
              ...base,
              change: 'published',
              status: 'version-taken',
              note: {
                zh: '该版本号已以不同内容发布;已发布版本不可覆盖,请为修改另起版本号',
                en: 'this version label is published with other content; a published version is never overwritten: give the change a new version label',
              },
            },
      );
      continue;
    }
    const change: SyncChange = ids.has(v.id) ? 'new-version' : 'new-policy';
    const same = remote.drafts.find((d) => d.hash === v.hash || d.sourceHash === sourceHash(v.source));
    if (same) {
      rows.push({
        ...base,
        change,
        status: 'already-proposed',
        draft: same.id,
        draftStatus: same.status,
        note: { zh: `草稿 #${same.id}(${same.status})已提出相同内容`, en: `draft #${same.id} (${same.status}) already proposes this content` },
      });
      continue;
    }
    rows.push({ ...base, change, status: 'would-propose', note: { zh: '待作为草稿提出', en: 'to be proposed as a draft' } });
  }
  for (const p of problems) {
    rows.push({
      policy: '—',
      version: '—',
      file: p.file,
      change: 'invalid',
      status: 'invalid',
      note: { zh: `文件有错误,未提出:${p.errors[0] ?? ''}`, en: `the file has errors and is not proposed: ${p.errors[0] ?? ''}` },
    });
  }
  return rows;
}

/** Plans, then (unless a dry run) creates a draft for each version to propose. */
export async function runSync(local: readonly LocalVersion[], problems: readonly LocalProblem[], port: SyncPort, opts: { dryRun: boolean }): Promise<SyncRow[]> {
  const rows = planSync(local, problems, await port.remote());
  if (opts.dryRun) return rows;
  const byKey = new Map(local.map((v) => [`${v.id}@${v.version}`, v]));
  for (const row of rows) {
    if (row.status !== 'would-propose') continue;
    row.draft = await port.propose(byKey.get(`${row.policy}@${row.version}`)!);
    row.draftStatus = 'editing';
    row.status = 'proposed';
    row.note = { zh: `已提出为草稿 #${row.draft},待审核`, en: `proposed as draft #${row.draft}, for review` };
  }
  return rows;
}

/** What the sync needs of the engine: the folder loader and the content hash. */
export interface SyncEngine {
  loadPolicyDir(dir: string): Promise<{ files: { file: string; ir?: PolicyIR; diagnostics: { severity: string; code: string; message: { en: string } }[] }[] }>;
  policyHash(ir: PolicyIR): string;
}

/** The library folder's versions (and its broken files), as the server seeds them. */
export async function readLibrary(engine: SyncEngine, dir: string): Promise<{ local: LocalVersion[]; problems: LocalProblem[] }> {
  const { files } = await engine.loadPolicyDir(dir);
  const local: LocalVersion[] = [];
  const problems: LocalProblem[] = [];
  for (const f of files) {
    const file = path.relative(dir, f.file).split(path.sep).join('/');
    if (!f.ir) {
      problems.push({ file, errors: f.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message.en}`) });
      continue;
    }
    const source = await readFile(f.file, 'utf8');
    local.push({ id: f.ir.id, version: f.ir.version, hash: engine.policyHash(f.ir), format: /\.ya?ml$/.test(f.file) ? 'yaml' : 'dsl', source, file });
  }
  return { local, problems };
}

/** The table the command prints: one line per library version. */
export function renderSyncTable(rows: readonly SyncRow[], dryRun: boolean): string {
  const head = ['policy 政策', 'version 版本', 'change 变化', 'status 结果', 'draft 草稿', 'note 说明'];
  const body = rows.map((r) => [r.policy === '—' ? r.file : r.policy, r.version, r.change, r.status, r.draft ? `#${r.draft}` : '', `${r.note.zh} / ${r.note.en}`]);
  const width = (s: string) => [...s].reduce((n, ch) => n + (/[\u1100-\uffff]/.test(ch) ? 2 : 1), 0);
  const widths = head.map((h, i) => Math.max(width(h), ...body.map((b) => width(b[i]))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - width(c)))).join('  ');
  const count = (s: SyncStatus) => rows.filter((r) => r.status === s).length;
  const summary = dryRun
    ? `试运行,未作修改:待提出 ${count('would-propose')},已提出 ${count('already-proposed')},已是最新 ${count('up-to-date')},版本号冲突 ${count('version-taken')},有错误 ${count('invalid')}\n` +
      `dry run, nothing changed: to propose ${count('would-propose')}, already proposed ${count('already-proposed')}, up to date ${count('up-to-date')}, version taken ${count('version-taken')}, invalid ${count('invalid')}`
    : `已提出 ${count('proposed')} 个草稿,已提出过 ${count('already-proposed')},已是最新 ${count('up-to-date')},版本号冲突 ${count('version-taken')},有错误 ${count('invalid')}\n` +
      `proposed ${count('proposed')} drafts; already proposed ${count('already-proposed')}, up to date ${count('up-to-date')}, version taken ${count('version-taken')}, invalid ${count('invalid')}`;
  return [line(head), line(head.map((_, i) => '-'.repeat(widths[i]))), ...body.map(line), '', summary].join('\n');
}
