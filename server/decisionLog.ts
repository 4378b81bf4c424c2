/**
 * The decision log. Every decision is stored before its answer is sent, by group commit: when the
 * writer is free, what is pending is committed at once (everything queued in the same turn of the
 * event loop goes together); decisions arriving while a commit runs form the next group. So a
 * quiet server adds no waiting, and a busy one commits in large groups. Each caller waits for the
 * commit that holds its row. Named personal-data fields (server-wide `maskFields`, and the personal
 * facts a policy declares that none of its rules reads) are replaced by a salted hash before
 * storage; the policy's subject fact by a keyed hash (server/privacy.ts).
 *
 * A row holds the decision's lean form (engine/evaluate/lean.ts): what the policy's rules say is
 * stored once per policy version as `decision_texts`, and a read puts the decision back together
 * exactly. The single SQLite writer limits how many decisions per second the server can answer,
 * and a lean decision is ~0.3 KB where the whole one is ~4.5 KB.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Decision } from '../engine/evaluate/types.ts';
import { leanDecision, type DecisionTexts, type LeanDecision } from '../engine/evaluate/lean.ts';
import type { ResolvedPolicyLike } from './engine.ts';
import type { Clock, DecisionInsert, DraftMarker, LedgerHead, LedgerLink, Store } from './store/store.ts';
import { LEDGER_GENESIS, ledgerAlgAvailable, partitionOf, type LedgerAlg } from './store/ledger.ts';
import { privacyPlan } from '../engine/privacy/plan.ts';
import { maskFacts, maskTrace, maskValue, type MaskSpec } from '../engine/privacy/mask.ts';

export interface DecisionLogConfig {
  /** Decisions older than this are deleted by the retention sweep; 0 keeps them forever. */
  retentionDays: number;
  /** Fact (or record field) names replaced by a salted hash before storage, at any depth. */
  maskFields: string[];
  /** The hash of the log's tamper evidence (store/ledger.ts): SHA-256, or SM3 (GB/T 32905) where required. */
  hash?: LedgerAlg;
}

export interface LogEntry {
  caller: string;
  /** The policy decided with (its rule texts are stored once, not in every row). */
  policy: ResolvedPolicyLike;
  decision: Decision;
  facts: unknown;
  /** Set when the decision was made on a draft. */
  draft?: DraftMarker;
  /** The caller's own id of the case, when it gave one. */
  subject?: string;
  /** The client that decided in its own process (a policy bundle) and reported the decision. */
  reportedBy?: string;
}

/** A decision made and serialised elsewhere: its facts and lean form as JSON. */
export interface SerialisedEntry {
  caller: string;
  policy: ResolvedPolicyLike;
  asOf: string;
  /** The facts as they are to be stored: masked already (the worker applied `maskSpec`). */
  factsJson: string;
  leanJson: string;
  subject?: string;
  /** What the worker masked, and the subject's keyed hash. */
  masked?: string[];
  subjectKey?: string;
}

export type LoggedDecision = { id: string } & ({ texts: DecisionTexts; lean: LeanDecision; leanJson: string } | { texts?: undefined });

interface Pending {
  record: DecisionInsert;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class DecisionLog {
  private pending: Pending[] = [];
  /** Set while a flush is scheduled or running: pending rows will be picked up by it. */
  private draining = false;
  private flushing: Promise<void> = Promise.resolve();
  private salt = '';
  /** HMAC key of subject facts (hex), from the store's meta: the same on every instance. */
  private subjectKey = '';
  private sweepTimer: NodeJS.Timeout | undefined;
  /** For /metrics: commits, rows committed, and time spent committing. */
  readonly stats = { commits: 0, rows: 0, commitSeconds: 0 };
  /**
   * This process's chains: its own partitions (one a UTC day), so no two writers ever extend the
   * same chain and no commit waits for another instance's. Only the flush loop, one commit at a
   * time, moves the head.
   */
  readonly writer = `w${randomBytes(5).toString('hex')}`;
  private head: LedgerHead | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    readonly config: DecisionLogConfig,
    private readonly textsOf: (policy: ResolvedPolicyLike) => DecisionTexts,
    private readonly maxBatch = 1000,
  ) {}

  async init(): Promise<void> {
    // `tiaowen serve` refuses this with a StartupError first; here for other embedders.
    if (!ledgerAlgAvailable(this.config.hash ?? 'sha256')) throw new Error(`decisionLog.hash ${this.config.hash} is not available in this Node (OpenSSL) build`);
    let salt = await this.store.getMeta('mask.salt');
    if (!salt) {
      salt = randomBytes(16).toString('hex');
      await this.store.setMeta('mask.salt', salt);
    }
    this.salt = salt;
    this.subjectKey = (await this.store.getMeta('subject.key')) ?? (await this.store.claimMeta('subject.key', randomBytes(32).toString('hex')));
  }

  /**
   * How the facts of decisions made with this policy are masked: the server-wide names and the
   * policy's plan (engine/privacy/plan.ts). Handed to the batch workers too, which mask as they
   * serialise.
   */
  maskSpec(policy: ResolvedPolicyLike): MaskSpec {
    return { names: this.config.maskFields, plan: privacyPlan(policy.ir), salt: this.salt, key: this.subjectKey, alg: this.config.hash ?? 'sha256' };
  }

  /** The subject's HMAC key (hex): to hash a searched value the same way. */
  get subjectHmacKey(): string {
    return this.subjectKey;
  }

  /** Stores one decision; resolves with its id once the row is committed. */
  record(entry: LogEntry): Promise<string> {
    return this.recordMany([entry]).then((ids) => ids[0]);
  }

  recordMany(entries: LogEntry[]): Promise<string[]> {
    return this.recordLean(entries).then((logged) => logged.map((l) => l.id));
  }

  /**
   * Stores decisions; resolves once their rows are committed with, per decision, its id, its lean
   * form and that form's JSON exactly as stored (absent when the decision was stored whole), so an
   * answer can carry the lean form without serialising it a second time.
   */
  recordLean(entries: LogEntry[]): Promise<LoggedDecision[]> {
    const at = this.clock.now().toISOString();
    const records = entries.map((e) => {
      const spec = this.maskSpec(e.policy);
      const m = maskFacts(e.facts, spec);
      const kept = privacyPlan(e.policy.ir).kept;
      const texts = this.textsOf(e.policy);
      // A trace shows the facts its conditions read, lists whole: masked as the facts are.
      const decision = e.decision.trace ? { ...e.decision, trace: maskTrace(e.decision.trace, spec) } : e.decision;
      const lean = leanDecision(decision, texts);
      const rec: DecisionInsert = {
        id: decisionId(),
        at,
        caller: e.caller,
        policyId: e.decision.policy.id,
        version: e.decision.policy.version,
        policyHash: e.decision.policy.hash,
        asOf: e.decision.asOf,
        facts: m.facts,
        masked: m.masked,
        ...(lean ? { decision: lean, decisionJson: JSON.stringify(lean), texts } : { decision }),
        ...(e.draft ? { draft: e.draft } : {}),
        ...(e.subject !== undefined ? { subject: e.subject } : {}),
        ...(e.reportedBy !== undefined ? { reportedBy: e.reportedBy } : {}),
        ...(m.subjectKey !== undefined ? { subjectKey: m.subjectKey } : {}),
        ...(kept.length ? { personal: kept } : {}),
      };
      return rec;
    });
    return this.enqueue(records).then(() =>
      records.map((r) => (r.texts ? { id: r.id, texts: r.texts, lean: r.decision as LeanDecision, leanJson: r.decisionJson! } : { id: r.id })),
    );
  }

  /**
   * Stores decisions made elsewhere (a worker thread) and already serialised: the facts and the
   * lean decision as JSON, with the texts it refers to; the facts masked already by the sender
   * with `maskSpec`. Resolves with the ids once committed.
   */
  recordSerialised(entries: SerialisedEntry[]): Promise<string[]> {
    const at = this.clock.now().toISOString();
    const records = entries.map((e): DecisionInsert => {
      const s = e.policy.stamp;
      const kept = privacyPlan(e.policy.ir).kept;
      return {
        id: decisionId(),
        at,
        caller: e.caller,
        policyId: s.id,
        version: s.version,
        policyHash: s.hash,
        asOf: e.asOf,
        facts: null,
        factsJson: e.factsJson,
        masked: e.masked ?? [],
        decision: null,
        decisionJson: e.leanJson,
        texts: this.textsOf(e.policy),
        ...(e.subject !== undefined ? { subject: e.subject } : {}),
        ...(e.subjectKey !== undefined ? { subjectKey: e.subjectKey } : {}),
        ...(kept.length ? { personal: kept } : {}),
      };
    });
    return this.enqueue(records).then(() => records.map((r) => r.id));
  }

  private enqueue(records: DecisionInsert[]): Promise<void> {
    const waits = records.map(
      (record) => new Promise<void>((resolve, reject) => this.pending.push({ record, resolve, reject })),
    );
    if (!this.draining) {
      this.draining = true;
      // After this turn of the event loop: the rest of a batch chunk's decisions join the group.
      setImmediate(() => void this.flush());
    }
    return Promise.all(waits).then(() => undefined);
  }

  /** Commits everything pending; resolves when committed (used at shutdown too). */
  flush(): Promise<void> {
    this.draining = true;
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length) {
        const batch = this.pending.splice(0, this.maxBatch);
        const link = this.nextLink();
        try {
          const started = performance.now();
          const hash = await this.store.insertDecisions(
            batch.map((p) => p.record),
            link,
          );
          if (hash !== undefined) this.head = { part: link.part, seq: link.seq, hash, count: (link.opens ? 0 : this.head!.count) + batch.length };
          this.stats.commitSeconds += (performance.now() - started) / 1000;
          this.stats.commits++;
          this.stats.rows += batch.length;
          for (const p of batch) p.resolve();
        } catch (err) {
          // A commit may have landed although its answer was lost (a dropped connection): take the
          // head from the store, or every later batch would collide with it.
          const head = await this.store.ledgerHead(link.part).catch(() => undefined);
          if (head) this.head = head;
          for (const p of batch) p.reject(err);
        }
      }
      this.draining = false;
    });
    return this.flushing;
  }

  /** Same value, same mask: records stay linkable without keeping the value. */
  hashValue(v: unknown): string {
    return maskValue(this.salt, v);
  }

  /** The salt of masked values (store meta), for masking kept personal facts on a read. */
  get maskSalt(): string {
    return this.salt;
  }

  /** Deletes decisions past retention; returns how many. */
  async sweep(): Promise<number> {
    if (!this.config.retentionDays) return 0;
    const cutoff = new Date(this.clock.now().getTime() - this.config.retentionDays * 86_400_000).toISOString();
    return this.store.deleteDecisionsBefore(cutoff);
  }

  /** The next batch's place in this writer's chain: a new partition when the day has turned. */
  private nextLink(): LedgerLink {
    const alg = this.config.hash ?? 'sha256';
    const part = partitionOf(this.clock.now(), this.writer);
    if (this.head?.part === part) return { part, seq: this.head.seq + 1, prev: this.head.hash, alg };
    // The partition the writer leaves is sealed in the same audit entry that opens the new one.
    return { part, seq: 1, prev: LEDGER_GENESIS, alg, opens: this.head ? { previous: this.head } : {} };
  }

  startSweeping(everyMs = 3_600_000): void {
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), everyMs);
    this.sweepTimer.unref();
  }

  async close(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    await this.flush();
    // Where this writer's last partition ends, so a cut tail is noticed by `tiaowen audit verify`.
    if (this.head) {
      const head = this.head;
      this.head = undefined;
      await this.store.sealPartition(head);
    }
  }
}

/**
 * `dec_` and a UUID with the version 7 layout: the first 48 bits are the time in milliseconds. Rows
 * then join the end of the primary-key index instead of random places in it, so a group commit
 * writes a few index pages rather than one per row.
 */
export function decisionId(now = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  const r = randomUUID();
  return `dec_${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15)}`;
}

/** A case id as the log keeps it: strings and numbers as text, anything else not at all. */
export function subjectOf(id: unknown): string | undefined {
  if (typeof id === 'string' && id.length > 0 && id.length <= 200) return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}
