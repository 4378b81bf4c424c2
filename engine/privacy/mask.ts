/**
 * Masking facts before they are stored (node only: hashes). Used by the server's decision log on
 * the main thread and by the batch worker threads (engine/parallel/worker.ts), so masking never
 * takes a batch off the workers. A masked value becomes `masked:<salted SHA-256, 24 hex>` (same
 * value, same mask: records stay linkable); the subject becomes `hmac-<alg>:<HMAC, 32 hex>` under a
 * secret key, found again only by hashing a value someone already knows.
 */
import { createHash, createHmac, getHashes } from 'node:crypto';
import type { PrivacyPlan } from './plan.ts';

export type SubjectAlg = 'sha256' | 'sm3';

export interface MaskSpec {
  /** Server-wide field names (`decisionLog.maskFields`): masked at any depth. */
  names: readonly string[];
  /** The policy version's plan (./plan.ts). */
  plan?: Pick<PrivacyPlan, 'masked' | 'maskedFields' | 'subject'>;
  salt: string;
  /** The subject's HMAC key (hex) and hash. */
  key: string;
  alg: SubjectAlg;
}

export interface MaskResult {
  facts: unknown;
  /** Names masked (top-level facts, or field names of records), sorted. */
  masked: string[];
  /** The subject's keyed hash, when the facts carry the subject. */
  subjectKey?: string;
}

export function maskValue(salt: string, v: unknown): string {
  return `masked:${createHash('sha256').update(salt).update(JSON.stringify(v)).digest('hex').slice(0, 24)}`;
}

export function subjectKeyOf(alg: SubjectAlg, key: string | Buffer, value: unknown): string {
  const mac = createHmac(alg, typeof key === 'string' ? Buffer.from(key, 'hex') : key).update(typeof value === 'string' ? value : JSON.stringify(value));
  // 128 bits of the MAC: no two subjects of a log collide in practice, and the indexed column and
  // every row stay short (the single SQLite writer pays for each byte of a random-keyed index).
  return `hmac-${alg}:${mac.digest('hex').slice(0, 32)}`;
}

/** The keys a searched value may have been stored under (the hash may have changed between SHA-256 and SM3). */
export function subjectKeysOf(key: string, value: string): string[] {
  const algs: SubjectAlg[] = getHashes().includes('sm3') ? ['sha256', 'sm3'] : ['sha256'];
  // A number subject is stored from its JSON text, which for an integer is its digits.
  return algs.map((a) => subjectKeyOf(a, key, value));
}

export function masksAnything(spec: MaskSpec): boolean {
  const p = spec.plan;
  return spec.names.length > 0 || (p !== undefined && (p.masked.length > 0 || Object.keys(p.maskedFields).length > 0 || p.subject !== undefined));
}

interface Prepared {
  names: ReadonlySet<string>;
  top: ReadonlySet<string>;
  fields: ReadonlyMap<string, ReadonlySet<string>>;
  key: Buffer;
  any: boolean;
}

/** Sets and the key buffer made once per spec (a spec is made once per request or worker task). */
const prepared = new WeakMap<MaskSpec, Prepared>();
function prepare(spec: MaskSpec): Prepared {
  let p = prepared.get(spec);
  if (!p) {
    const fields = new Map(Object.entries(spec.plan?.maskedFields ?? {}).map(([k, v]) => [k, new Set(v)] as const));
    p = { names: new Set(spec.names), top: new Set(spec.plan?.masked ?? []), fields, key: Buffer.from(spec.key, 'hex'), any: masksAnything(spec) };
    prepared.set(spec, p);
  }
  return p;
}

/** The facts as they may be stored. Returns `facts` itself when nothing is to be masked. */
export function maskFacts(facts: unknown, spec: MaskSpec): MaskResult {
  const prep = prepare(spec);
  if (!prep.any) return { facts, masked: [] };
  const masked = new Set<string>();
  const { names } = prep;
  const hide = (k: string, v: unknown) => {
    masked.add(k);
    return maskValue(spec.salt, v);
  };
  const walk = (v: unknown, extra?: ReadonlySet<string>): unknown => {
    if (Array.isArray(v)) return v.map((x) => walk(x, extra));
    if (!v || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const k in v) {
      const x = (v as Record<string, unknown>)[k];
      out[k] = x !== null && x !== undefined && (names.has(k) || extra?.has(k)) ? hide(k, x) : walk(x);
    }
    return out;
  };
  const subject = spec.plan?.subject;
  if (!spec.plan || !facts || typeof facts !== 'object' || Array.isArray(facts)) return { facts: walk(facts), masked: [...masked].sort() };
  const out: Record<string, unknown> = {};
  let subjectKey: string | undefined;
  for (const k in facts) {
    const x = (facts as Record<string, unknown>)[k];
    const inList = prep.fields.get(k);
    if (x === null || x === undefined) out[k] = x;
    else if (k === subject) {
      subjectKey = subjectKeyOf(spec.alg, prep.key, x);
      masked.add(k);
      out[k] = subjectKey;
    } else if (prep.top.has(k) || names.has(k)) out[k] = hide(k, x);
    else if (inList && Array.isArray(x)) out[k] = x.map((r) => walk(r, inList));
    // Nothing below needs masking when no server-wide names are set: kept as it is.
    else out[k] = names.size ? walk(x) : x;
  }
  return { facts: out, masked: [...masked].sort(), ...(subjectKey !== undefined ? { subjectKey } : {}) };
}

/** Facts as a role without personal access sees them: each kept path (`a`, `list[].field`) masked. */
export function hidePaths(facts: unknown, paths: readonly string[], salt: string): unknown {
  if (paths.length === 0 || !facts || typeof facts !== 'object' || Array.isArray(facts)) return facts;
  const out: Record<string, unknown> = { ...(facts as Record<string, unknown>) };
  for (const path of paths) {
    const [list, field] = path.split('[].');
    const v = out[list!];
    if (v === null || v === undefined) continue;
    if (field === undefined) out[list!] = maskValue(salt, v);
    else if (Array.isArray(v)) {
      out[list!] = v.map((r) => {
        if (!r || typeof r !== 'object' || Array.isArray(r)) return r;
        const x = (r as Record<string, unknown>)[field];
        return x === null || x === undefined ? r : { ...(r as Record<string, unknown>), [field]: maskValue(salt, x) };
      });
    }
  }
  return out;
}

/**
 * A decision's trace as it may be stored: a trace shows the values conditions read (a list fact
 * whole, unread personal fields included), so each `values` map is masked like facts, and an
 * operand that is a masked fact or the subject loses its value.
 */
export function maskTrace<T>(trace: T, spec: MaskSpec): T {
  const prep = prepare(spec);
  if (!prep.any) return trace;
  const hiddenExpr = new Set([...prep.top, ...prep.names, ...(spec.plan?.subject ? [spec.plan.subject] : [])]);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k in o) {
      const x = o[k];
      if (k === 'values' && x && typeof x === 'object' && !Array.isArray(x)) out[k] = maskFacts(x, spec).facts;
      else if (k === 'value' && typeof o.expr === 'string' && hiddenExpr.has(o.expr) && x !== null && x !== undefined) out[k] = maskValue(spec.salt, x);
      else out[k] = walk(x);
    }
    return out;
  };
  return walk(trace) as T;
}
