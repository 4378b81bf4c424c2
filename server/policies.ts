/**
 * The published library in memory, kept in step with the `versions` table: loaded from SQLite at
 * start, extended after each publish commits. Also compiles drafts against it (a variant's base
 * is looked up here) and loads the seed library on first start.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { Result } from '../dsl/diagnostics.ts';
import type { EnginePort, LibraryLike } from './engine.ts';
import type { SourceFormat, Store, VersionRecord } from './store/store.ts';

export class PolicyService {
  library: LibraryLike;
  /** hash → record without re-reading SQLite on every request. */
  private byHash = new Map<string, VersionRecord>();

  constructor(
    readonly engine: EnginePort,
    readonly store: Store,
  ) {
    this.library = engine.newLibrary();
  }

  async load(): Promise<void> {
    this.library = this.engine.newLibrary();
    this.byHash.clear();
    const all = await this.store.allVersions();
    // Bases before variants, so a library that checks `extends` on add sees the base first.
    const pending = [...all];
    const added = new Set<string>();
    while (pending.length) {
      const before = pending.length;
      for (let i = 0; i < pending.length; ) {
        const v = pending[i];
        const base = v.ir.extends?.policy;
        if (!base || added.has(base) || !all.some((o) => o.policyId === base)) {
          this.addRecord(v);
          added.add(v.policyId);
          pending.splice(i, 1);
        } else i++;
      }
      if (pending.length === before) {
        for (const v of pending.splice(0)) this.addRecord(v);
      }
    }
  }

  addRecord(v: VersionRecord): void {
    if (this.byHash.has(v.hash)) return;
    this.library.add(v.ir);
    this.byHash.set(v.hash, v);
  }

  records(): VersionRecord[] {
    return [...this.byHash.values()];
  }

  recordByHash(hash: string): VersionRecord | undefined {
    return this.byHash.get(hash);
  }

  record(policyId: string, version: string): VersionRecord | undefined {
    for (const v of this.byHash.values()) if (v.policyId === policyId && v.version === version) return v;
    return undefined;
  }

  /** Base lookup for compiling: a pinned version, else the latest published one (names only). */
  resolveBase = (ref: PolicyRef): PolicyIR | undefined => {
    if (ref.version) return this.record(ref.policy, ref.version)?.ir;
    const versions = this.records()
      .filter((v) => v.policyId === ref.policy)
      .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    return versions.at(-1)?.ir;
  };

  compile(text: string, format: SourceFormat, file?: string): Result<PolicyIR> {
    return this.engine.compileSource(text, { format, file, resolveBase: this.resolveBase });
  }

  /**
   * Loads `policiesDir` as published versions (author `system`) once per data directory;
   * idempotent: a version already there is left alone.
   */
  async seed(policiesDir: string): Promise<{ published: number; skipped: string[] }> {
    if ((await this.store.getMeta('seed.done')) === 'yes') return { published: 0, skipped: [] };
    const { files } = await this.engine.loadPolicyDir(policiesDir);
    let published = 0;
    const skipped: string[] = [];
    for (const f of files) {
      if (!f.ir) {
        skipped.push(f.file);
        continue;
      }
      const source = await readFile(f.file, 'utf8');
      const format: SourceFormat = /\.ya?ml$/.test(f.file) ? 'yaml' : 'dsl';
      const ir = f.ir;
      if (this.record(ir.id, ir.version)) continue;
      try {
        const { record, created } = await this.store.insertVersion(
          {
            hash: this.engine.policyHash(ir),
            policyId: ir.id,
            version: ir.version,
            jurisdiction: ir.jurisdiction,
            title: ir.title,
            effectiveFrom: ir.effectiveFrom,
            effectiveUntil: ir.effectiveUntil,
            format,
            source,
            ir,
            publishedBy: 'system',
          },
          { actor: 'system' },
        );
        this.addRecord(record);
        if (created) published++;
      } catch {
        skipped.push(f.file);
      }
    }
    await this.store.setMeta('seed.done', 'yes');
    return { published, skipped };
  }
}
