/**
 * The policy library: every version of every policy, resolved for an as-of date. Resolution picks
 * the version in force, follows `extends` to the base version (pinned, or in force on the same
 * date), and merges the chain into one IR the evaluators read, remembering which policy each rule
 * came from so citations name the right jurisdiction's document.
 */
import type { Diagnostic, Result } from '../../dsl/diagnostics.ts';
import type { PolicyIR, RuleIR } from '../ir/types.ts';
import { policyHash } from '../ir/hash.ts';
import type { PolicyStamp } from '../evaluate/types.ts';
import { diagnostic } from '../messages.ts';
import { parseDate, todayInShanghai } from '../values/index.ts';

export interface RuleOrigin {
  policyId: string;
  jurisdiction: string;
  version: string;
}

export interface ResolvedPolicy {
  stamp: PolicyStamp;
  /** Shared between resolutions of the same chain: treat as read-only. Merged: base facts/params/defs/sources + own; rules with overrides and disables applied. */
  ir: PolicyIR;
  /** The versions merged, base first, the resolved version last. */
  chain: PolicyIR[];
  /** Which policy version each rule of `ir` comes from. */
  ruleOrigin: Record<string, RuleOrigin>;
}

export interface ResolveOptions {
  /** A version label; without it, the version in force on `asOf`. */
  version?: string;
  /** Default: today in Asia/Shanghai. */
  asOf?: string;
}

const FAR_FUTURE = Number.MAX_SAFE_INTEGER;

function period(ir: PolicyIR): [number, number] {
  const from = parseDate(ir.effectiveFrom) ?? Number.MIN_SAFE_INTEGER;
  const until = ir.effectiveUntil === undefined ? FAR_FUTURE : (parseDate(ir.effectiveUntil) ?? FAR_FUTURE);
  return [from, until];
}

function describePeriod(ir: PolicyIR): string {
  return `${ir.version}: ${ir.effectiveFrom} – ${ir.effectiveUntil ?? '…'}`;
}

export class PolicyLibrary {
  private readonly byId = new Map<string, PolicyIR[]>();
  /** Merged policies by chain (`id@version>…`): many as-of dates share one merge and one hash. */
  private readonly merged = new Map<string, { value: ResolvedPolicy; diagnostics: Diagnostic[] }>();

  /**
   * Adds one policy version. A version already present is replaced (with a warning); a period
   * overlapping another version's is accepted with a warning (the later start wins in the overlap).
   */
  add(ir: PolicyIR): Diagnostic[] {
    const diagnostics: Diagnostic[] = [];
    this.merged.clear();
    const [from, until] = period(ir);
    if (until < from) diagnostics.push(diagnostic('engine.invalid-period', { policy: ir.id, version: ir.version }, 'warning'));
    const list = (this.byId.get(ir.id) ?? []).filter((v) => {
      if (v.version !== ir.version) return true;
      diagnostics.push(diagnostic('engine.duplicate-version', { policy: ir.id, version: ir.version }, 'warning'));
      return false;
    });
    for (const other of list) {
      const [f2, u2] = period(other);
      if (from <= u2 && f2 <= until) {
        const winner = from >= f2 ? ir.version : other.version;
        diagnostics.push(
          diagnostic('engine.overlapping-periods', { policy: ir.id, a: other.version, b: ir.version, winner }, 'warning'),
        );
      }
    }
    list.push(ir);
    list.sort((a, b) => period(a)[0] - period(b)[0] || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
    this.byId.set(ir.id, list);
    return diagnostics;
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  /** Every version of a policy, by effectiveFrom. */
  versions(id: string): PolicyIR[] {
    return [...(this.byId.get(id) ?? [])];
  }

  get(id: string, version: string): PolicyIR | undefined {
    return this.byId.get(id)?.find((v) => v.version === version);
  }

  /** The version of `id` in force on `asOf` (the latest-starting one where periods overlap). */
  inForce(id: string, asOf: string): Result<PolicyIR> {
    const versions = this.byId.get(id);
    if (!versions || versions.length === 0) {
      return { diagnostics: [diagnostic('engine.unknown-policy', { policy: id, known: this.ids() })] };
    }
    const day = parseDate(asOf);
    let found: PolicyIR | undefined;
    if (day !== undefined) {
      for (const v of versions) {
        const [from, until] = period(v);
        if (from <= day && day <= until) found = v; // sorted by start: the last match starts latest
      }
    }
    if (found) return { value: found, diagnostics: [] };
    return {
      diagnostics: [
        diagnostic('engine.no-version-in-force', { policy: id, date: asOf, periods: versions.map(describePeriod) }),
      ],
    };
  }

  /** The policy version to evaluate, merged with its bases. */
  resolve(id: string, opts: ResolveOptions = {}): Result<ResolvedPolicy> {
    let top: PolicyIR;
    let asOf: string;
    if (opts.version !== undefined) {
      const v = this.get(id, opts.version);
      if (!v) {
        const known = this.versions(id).map((x) => x.version);
        const d =
          known.length === 0
            ? diagnostic('engine.unknown-policy', { policy: id, known: this.ids() })
            : diagnostic('engine.unknown-version', { policy: id, version: opts.version, known });
        return { diagnostics: [d] };
      }
      top = v;
      // A pinned version without a date: its bases as in force today, if the version is, else on its first day.
      asOf = opts.asOf ?? clampToPeriod(todayInShanghai(), v);
    } else {
      asOf = opts.asOf ?? todayInShanghai();
      const r = this.inForce(id, asOf);
      if (!r.value) return { diagnostics: r.diagnostics };
      top = r.value;
    }
    // Follow extends, nearest base first.
    const chain: PolicyIR[] = [top];
    let cur = top;
    while (cur.extends) {
      const ref = cur.extends;
      if (chain.some((c) => c.id === ref.policy)) {
        return { diagnostics: [diagnostic('engine.extends-cycle', { chain: [...chain.map((c) => c.id), ref.policy] })] };
      }
      let base: PolicyIR | undefined;
      if (ref.version !== undefined) {
        base = this.get(ref.policy, ref.version);
        if (!base) {
          const known = this.versions(ref.policy).map((x) => x.version);
          const d =
            known.length === 0
              ? diagnostic('engine.unknown-base', { policy: cur.id, base: ref.policy })
              : diagnostic('engine.unknown-version', { policy: ref.policy, version: ref.version, known });
          return { diagnostics: [d] };
        }
      } else {
        if (this.versions(ref.policy).length === 0) {
          return { diagnostics: [diagnostic('engine.unknown-base', { policy: cur.id, base: ref.policy })] };
        }
        const r = this.inForce(ref.policy, asOf);
        if (!r.value) return { diagnostics: r.diagnostics };
        base = r.value;
      }
      chain.push(base);
      cur = base;
    }
    chain.reverse(); // base first
    const key = chain.map((c) => `${c.id}@${c.version}`).join('>');
    let done = this.merged.get(key);
    if (!done) {
      const { ir, ruleOrigin, diagnostics } = mergeChain(chain);
      const stamp: PolicyStamp = { id: top.id, version: top.version, jurisdiction: top.jurisdiction, hash: policyHash(ir) };
      done = { value: { stamp, ir, chain, ruleOrigin }, diagnostics };
      this.merged.set(key, done);
    }
    return { value: done.value, diagnostics: [...done.diagnostics] };
  }
}

function clampToPeriod(date: string, ir: PolicyIR): string {
  const day = parseDate(date)!;
  const [from, until] = period(ir);
  if (day >= from && day <= until) return date;
  return ir.effectiveFrom;
}

const origin = (p: PolicyIR): RuleOrigin => ({ policyId: p.id, jurisdiction: p.jurisdiction, version: p.version });

function byName<T>(base: readonly T[], own: readonly T[], name: (x: T) => string): T[] {
  const out = new Map<string, T>();
  for (const x of base) out.set(name(x), x);
  for (const x of own) out.set(name(x), x); // own replaces the base's declaration of the same name
  return [...out.values()];
}

/**
 * Merges a chain (base first) into one IR. Each variant inherits its base's declarations and rules;
 * own declarations of the same name replace the base's; `overrides` replaces a base rule in place;
 * `disabled` removes one.
 */
export function mergeChain(chain: readonly PolicyIR[]): { ir: PolicyIR; ruleOrigin: Record<string, RuleOrigin>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let merged: PolicyIR | undefined;
  let ruleOrigin: Record<string, RuleOrigin> = {};
  for (const p of chain) {
    if (!merged) {
      merged = { ...p, disabled: [...(p.disabled ?? [])] };
      ruleOrigin = Object.fromEntries(p.rules.map((r) => [r.id, origin(p)]));
      continue;
    }
    const base = merged;
    const rules: RuleIR[] = [...base.rules];
    const origins = { ...ruleOrigin };
    const disabled = [...(base.disabled ?? [])];
    for (const d of p.disabled ?? []) {
      const i = rules.findIndex((r) => r.id === d.rule);
      if (i < 0) {
        diagnostics.push(diagnostic('engine.disable-unknown-rule', { policy: p.id, rule: d.rule, base: base.id }, 'warning'));
        continue;
      }
      rules.splice(i, 1);
      delete origins[d.rule];
      disabled.push(d);
    }
    for (const r of p.rules) {
      const i = rules.findIndex((x) => x.id === r.id);
      if (i >= 0) {
        if (!r.overrides) diagnostics.push(diagnostic('engine.duplicate-rule', { policy: p.id, rule: r.id, base: base.id }, 'warning'));
        rules[i] = r; // keeps the base rule's place in the order
      } else {
        if (r.overrides) diagnostics.push(diagnostic('engine.override-unknown-rule', { policy: p.id, rule: r.id, base: base.id }, 'warning'));
        rules.push(r);
      }
      origins[r.id] = origin(p);
    }
    merged = {
      ...p,
      sources: byName(base.sources, p.sources, (s) => s.key),
      facts: byName(base.facts, p.facts, (f) => f.name),
      parameters: byName(base.parameters, p.parameters, (x) => x.name),
      definitions: byName(base.definitions, p.definitions, (d) => d.name),
      rules,
      disabled,
    };
    // A base's completeness still holds over its rules unless one of them was disabled here.
    const ids = new Set(rules.map((r) => r.id));
    const complete = [...(base.complete ?? []).filter((c) => c.rules.every((id) => ids.has(id))), ...(p.complete ?? [])];
    if (complete.length) merged.complete = complete;
    else delete merged.complete;
    ruleOrigin = origins;
  }
  if (!merged) throw new Error('engine bug: merging an empty chain');
  if (merged.disabled && merged.disabled.length === 0) delete merged.disabled;
  return { ir: merged, ruleOrigin, diagnostics };
}
