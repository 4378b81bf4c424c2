/**
 * The published library in memory, kept in step with the `versions` table: loaded from the store
 * at start, extended after each publish commits here, and — when several instances share one
 * PostgreSQL — after a publish on another instance, which announces it (LISTEN/NOTIFY). As a
 * safety net for a missed notification, an instance also catches up every `catchUpMs` and
 * whenever a request names a version it does not know. Also compiles drafts against it (a
 * variant's base is looked up here) and loads the seed library on first start.
 */
import { readFile } from 'node:fs/promises';
import type { PolicyIR, PolicyRef } from '../engine/ir/types.ts';
import type { Result } from '../dsl/diagnostics.ts';
import type { EnginePort, LibraryLike } from './engine.ts';
import { SEED_LOCK, type SourceFormat, type Store, type VersionRecord } from './store/store.ts';

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

  private unlisten: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private catchingUp: Promise<number> | undefined;

  /** Follows publishes made by other instances (a no-op on SQLite, where this process is the only one). */
  follow(catchUpMs = 5000): void {
    if (this.unlisten) return;
    this.unlisten = this.store.onChange((channel, payload) => {
      if (channel === 'versions') void this.catchUp(payload === '*' ? undefined : payload).catch(() => undefined);
    });
    if (this.store.dialect === 'postgres') {
      this.timer = setInterval(() => void this.catchUp().catch(() => undefined), catchUpMs);
      this.timer.unref();
    }
  }

  stop(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Adds the versions the store has and this instance does not (`hash`: just that one); returns
   * how many. Versions are immutable, so what is known never needs re-reading.
   */
  catchUp(hash?: string): Promise<number> {
    if (hash && this.byHash.has(hash)) return Promise.resolve(0);
    const run = async () => {
      const missing = (hash ? [hash] : await this.store.versionHashes()).filter((h) => !this.byHash.has(h));
      if (missing.length === 0) return 0;
      // A variant needs its base first: reload the whole library when more than one arrives.
      if (missing.length > 1) {
        await this.load();
        return missing.length;
      }
      const v = await this.store.versionByHash(missing[0]!);
      if (v) this.addRecord(v);
      return v ? 1 : 0;
    };
    // One at a time: a burst of notifications reads the store once per arrival, in order.
    const next = (this.catchingUp ?? Promise.resolve(0)).catch(() => 0).then(run);
    this.catchingUp = next;
    return next;
  }

  /**
   * Read-through for a request naming a policy (and version) this instance does not know: it may
   * have been published on another instance a moment ago. Known names cost nothing.
   */
  async ensure(policyId: string, version?: string): Promise<void> {
    for (const v of this.byHash.values()) if (v.policyId === policyId && (!version || v.version === version)) return;
    if (this.store.dialect === 'postgres') await this.catchUp();
  }

  /** A version this instance published: added here, then announced to the others. */
  async published(v: VersionRecord): Promise<void> {
    this.addRecord(v);
    await this.store.notify('versions', v.hash).catch((e: Error) => console.error(`[tiaowen] announcing ${v.policyId}@${v.version}: ${e.message}`));
  }

  async load(): Promise<void> {
    // Built aside and swapped in whole: requests meanwhile keep using the current library.
    const library = this.engine.newLibrary();
    const byHash = new Map<string, VersionRecord>();
    const all = await this.store.allVersions();
    const addRecord = (v: VersionRecord) => {
      if (byHash.has(v.hash)) return;
      library.add(v.ir);
      byHash.set(v.hash, v);
    };
    // Bases before variants, so a library that checks `extends` on add sees the base first.
    const pending = [...all];
    const added = new Set<string>();
    while (pending.length) {
      const before = pending.length;
      for (let i = 0; i < pending.length; ) {
        const v = pending[i];
        const base = v.ir.extends?.policy;
        if (!base || added.has(base) || !all.some((o) => o.policyId === base)) {
          addRecord(v);
          added.add(v.policyId);
          pending.splice(i, 1);
        } else i++;
      }
      if (pending.length === before) {
        for (const v of pending.splice(0)) addRecord(v);
      }
    }
    this.library = library;
    this.byHash = byHash;
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
    // Instances starting together on one database: one seeds, the others then see seed.done.
    return this.store.db.withLock(SEED_LOCK, () => this.seedOnce(policiesDir));
  }

  private async seedOnce(policiesDir: string): Promise<{ published: number; skipped: string[] }> {
    if ((await this.store.getMeta('seed.done')) === 'yes') {
      await this.catchUp();
      return { published: 0, skipped: [] };
    }
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
        if (created) await this.published(record);
        else this.addRecord(record);
        if (created) published++;
      } catch {
        skipped.push(f.file);
      }
    }
    await this.store.setMeta('seed.done', 'yes');
    return { published, skipped };
  }
}
