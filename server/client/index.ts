/**
 * `tiaowen/client`: decide in your own process on a signed policy bundle from a tiaowen server.
 * The client fetches `GET /api/v1/bundles/{policy}`, checks its Ed25519 signature with the public
 * key you pinned, compiles the IR with this package's own engine and decides locally; it polls
 * with `If-None-Match` (an unchanged bundle is a 304 with no body), keeps the last good bundle in
 * a cache folder and goes on deciding on it while the server is unreachable (after a restart too),
 * and can send its decisions to the server's decision log in batches, marked as reported by it.
 * Node-only (node:crypto, node:fs).
 */
import type { KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compilePolicy, type CompiledPolicy } from '../../engine/compiled/index.ts';
import type { Decision } from '../../engine/evaluate/types.ts';
import type { PolicyIR } from '../../engine/ir/types.ts';
import { PolicyLibrary, type ResolvedPolicy } from '../../engine/library/library.ts';
import { publicKeyOf, verifyBundle, type Bundle, type SignedBundle } from './format.ts';

export { verifyBundle, bundleBytes, BUNDLE_FORMAT, type Bundle, type BundleVersion, type SignedBundle } from './format.ts';
export type { Decision } from '../../engine/evaluate/types.ts';

export interface BundleClientOptions {
  /** The server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** A bearer token allowed to read bundles (role `system` for a caller system). */
  token: string;
  /** The policy, `jurisdiction/topic`. */
  policy: string;
  /** The server's public key (PEM, from `GET /api/v1/bundles/key`), pinned: a bundle it did not sign is refused. */
  publicKey: string | KeyObject;
  /** Folder for the last good bundle; without it, a restart needs the server. */
  cacheDir?: string;
  /** How often `start()` polls, in ms; default 30 s. */
  pollMs?: number;
  /**
   * Send decisions to the server's decision log, under this client name (shown as `reportedBy`).
   * Without it, nothing is reported.
   */
  report?: { client: string; batchSize?: number; flushMs?: number; maxQueue?: number };
  /** Told of failed refreshes and reports (the client keeps working); default: silent. */
  onError?: (error: Error) => void;
  /** For tests and proxies; default: the global fetch. */
  fetch?: typeof fetch;
}

export type RefreshResult = 'updated' | 'unchanged' | 'unreachable' | 'refused';

export interface ClientStatus {
  policy: string;
  /** Versions held, `version@effectiveFrom`. */
  versions: string[];
  etag?: string;
  /** Where the bundle held came from. */
  source: 'server' | 'cache' | 'none';
  lastRefresh?: { at: string; result: RefreshResult; error?: string };
  /** Decisions waiting to be reported. */
  queued: number;
  reported: number;
  dropped: number;
}

interface Held {
  signed: SignedBundle;
  etag: string;
  library: PolicyLibrary;
  compiled: WeakMap<ResolvedPolicy, CompiledPolicy>;
}

interface Queued {
  facts: unknown;
  decision: Decision;
  subject?: string;
}

/** Today in Asia/Shanghai, the calendar policy dates are written in (as the server uses). */
function todayInShanghai(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export class BundleClient {
  private held: Held | undefined;
  private source: ClientStatus['source'] = 'none';
  private lastRefresh: ClientStatus['lastRefresh'];
  private timer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private queue: Queued[] = [];
  private sending: Promise<number> | undefined;
  private refreshing: Promise<RefreshResult> | undefined;
  private counts = { reported: 0, dropped: 0 };
  private readonly key: KeyObject;
  private readonly fetch: typeof fetch;

  private constructor(private readonly opts: BundleClientOptions) {
    this.key = publicKeyOf(opts.publicKey);
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  /**
   * Loads the cached bundle (when its signature checks), then asks the server. Rejects only when
   * there is neither: no decision can be made without some bundle.
   */
  static async open(opts: BundleClientOptions): Promise<BundleClient> {
    const client = new BundleClient(opts);
    client.loadCache();
    const result = await client.refresh();
    if (!client.held) {
      throw new Error(`no bundle for ${opts.policy}: the server ${result === 'refused' ? 'sent one that failed the checks' : 'is unreachable'} and there is no cached copy (${client.lastRefresh?.error ?? ''})`);
    }
    return client;
  }

  private get cacheFile(): string | undefined {
    return this.opts.cacheDir ? join(this.opts.cacheDir, `${this.opts.policy.replace(/[^\w.-]+/g, '__')}.bundle.json`) : undefined;
  }

  private loadCache(): void {
    const file = this.cacheFile;
    if (!file) return;
    try {
      const cached = JSON.parse(readFileSync(file, 'utf8')) as { etag: string; signed: SignedBundle };
      // The cache is checked like the wire: a file edited on disk is not decided on.
      if (this.accept(cached.signed, cached.etag)) this.source = 'cache';
    } catch {
      // No cache yet, or unreadable: the server is asked next.
    }
  }

  private saveCache(): void {
    const file = this.cacheFile;
    if (!file || !this.held) return;
    mkdirSync(this.opts.cacheDir!, { recursive: true });
    // Written aside and renamed: a crash mid-write never leaves half a bundle.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ etag: this.held.etag, signed: this.held.signed }));
    renameSync(tmp, file);
  }

  /** Takes a bundle when its signature, policy and IR check; keeps the one held otherwise. */
  private accept(signed: SignedBundle, etag: string): boolean {
    if (!verifyBundle(signed, this.key)) return false;
    const bundle: Bundle = signed.bundle;
    if (bundle.policy !== this.opts.policy || bundle.versions.length === 0) return false;
    const library = new PolicyLibrary();
    for (const v of [...bundle.bases, ...bundle.versions]) library.add(v.ir as PolicyIR);
    this.held = { signed, etag, library, compiled: new WeakMap() };
    return true;
  }

  /** Asks the server once (If-None-Match with the ETag held). Never throws. */
  refresh(): Promise<RefreshResult> {
    this.refreshing ??= this.refreshOnce().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<RefreshResult> {
    const done = (result: RefreshResult, error?: string): RefreshResult => {
      this.lastRefresh = { at: new Date().toISOString(), result, ...(error ? { error } : {}) };
      if (error) this.opts.onError?.(new Error(`tiaowen bundle ${this.opts.policy}: ${error}`));
      return result;
    };
    let res: Response;
    try {
      res = await this.fetch(`${this.opts.url.replace(/\/$/, '')}/api/v1/bundles/${this.opts.policy}`, {
        headers: { authorization: `Bearer ${this.opts.token}`, ...(this.held ? { 'if-none-match': this.held.etag } : {}) },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      return done('unreachable', (e as Error).message);
    }
    if (res.status === 304) return done('unchanged');
    if (!res.ok) {
      await res.body?.cancel();
      // 5xx and 429 are the server's trouble: keep deciding on what is held, as when unreachable.
      return done(res.status >= 500 || res.status === 429 ? 'unreachable' : 'refused', `HTTP ${res.status}`);
    }
    let signed: SignedBundle;
    try {
      signed = (await res.json()) as SignedBundle;
    } catch (e) {
      return done('unreachable', `unreadable bundle: ${(e as Error).message}`);
    }
    if (!this.accept(signed, res.headers.get('etag') ?? '')) return done('refused', 'the bundle failed the signature or policy check');
    this.source = 'server';
    try {
      this.saveCache();
    } catch (e) {
      this.opts.onError?.(e as Error);
    }
    return done('updated');
  }

  /** Polls every `pollMs` (and flushes reports every `flushMs`); timers do not keep the process alive. */
  start(): this {
    if (!this.timer) {
      this.timer = setInterval(() => void this.refresh(), this.opts.pollMs ?? 30_000);
      this.timer.unref();
    }
    if (this.opts.report && !this.flushTimer) {
      this.flushTimer = setInterval(() => void this.flush(), this.opts.report.flushMs ?? 5_000);
      this.flushTimer.unref();
    }
    return this;
  }

  /** The version of the policy in force on `asOf`, merged with its bases, as the server resolves it. */
  resolve(asOf: string = todayInShanghai()): ResolvedPolicy {
    if (!this.held) throw new Error('no bundle held');
    const r = this.held.library.resolve(this.opts.policy, { asOf });
    if (!r.value) throw new Error(r.diagnostics.map((d) => d.message.en ?? d.message.zh).join('; '));
    return r.value;
  }

  /**
   * Decides `facts` on the version in force on `asOf` (default: today in Asia/Shanghai), with the
   * same compiled evaluator the server's evaluate uses; queues the decision for reporting.
   */
  decide(facts: unknown, opts: { asOf?: string; subject?: string } = {}): Decision {
    const asOf = opts.asOf ?? todayInShanghai();
    const policy = this.resolve(asOf);
    const held = this.held!;
    let compiled = held.compiled.get(policy);
    if (!compiled) held.compiled.set(policy, (compiled = compilePolicy(policy)));
    const decision = compiled.decide(facts, { asOf });
    if (this.opts.report && decision.status !== 'invalid-facts') this.enqueue({ facts, decision, ...(opts.subject ? { subject: opts.subject } : {}) });
    return decision;
  }

  private enqueue(q: Queued): void {
    const max = this.opts.report!.maxQueue ?? 10_000;
    this.queue.push(q);
    // A server down for long: the oldest reports go first, and are counted.
    if (this.queue.length > max) this.counts.dropped += this.queue.splice(0, this.queue.length - max).length;
    if (this.queue.length >= (this.opts.report!.batchSize ?? 100)) void this.flush();
  }

  /**
   * Sends the queued decisions in batches; resolves with how many the server recorded. A batch the
   * server could not take (unreachable, 5xx) stays queued for the next flush; one it refused (4xx)
   * is dropped and reported to `onError`, so one bad decision cannot block the queue forever.
   */
  flush(): Promise<number> {
    if (!this.opts.report) return Promise.resolve(0);
    // One send at a time, in order: a flush asked during another waits for it, then sends the rest.
    const run = (this.sending ?? Promise.resolve(0)).catch(() => 0).then(() => this.sendAll());
    this.sending = run;
    return run;
  }

  private async sendAll(): Promise<number> {
    const report = this.opts.report!;
    const size = Math.min(report.batchSize ?? 100, 1000);
    let sent = 0;
    while (this.queue.length) {
      const batch = this.queue.slice(0, size);
      let res: Response;
      try {
        res = await this.fetch(`${this.opts.url.replace(/\/$/, '')}/api/v1/decisions/reported`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.opts.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ client: report.client, decisions: batch }),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (e) {
        this.opts.onError?.(new Error(`tiaowen report: ${(e as Error).message}`));
        return sent;
      }
      const text = await res.text();
      if (res.status >= 500 || res.status === 429) {
        this.opts.onError?.(new Error(`tiaowen report: HTTP ${res.status}`));
        return sent;
      }
      this.queue.splice(0, batch.length);
      if (!res.ok) {
        this.counts.dropped += batch.length;
        this.opts.onError?.(new Error(`tiaowen report refused, ${batch.length} decisions dropped: HTTP ${res.status} ${text.slice(0, 300)}`));
        continue;
      }
      sent += batch.length;
      this.counts.reported += batch.length;
    }
    return sent;
  }

  status(): ClientStatus {
    const b = this.held?.signed.bundle;
    return {
      policy: this.opts.policy,
      versions: b ? b.versions.map((v) => `${v.version}@${v.effectiveFrom}`) : [],
      ...(this.held ? { etag: this.held.etag } : {}),
      source: this.source,
      ...(this.lastRefresh ? { lastRefresh: this.lastRefresh } : {}),
      queued: this.queue.length,
      reported: this.counts.reported,
      dropped: this.counts.dropped,
    };
  }

  /** Stops polling and sends what is queued (as far as the server takes it). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.timer = this.flushTimer = undefined;
    await this.flush();
  }
}
