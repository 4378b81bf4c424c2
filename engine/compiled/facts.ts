/**
 * A hand-compiled fact check and normalizer, built once per policy from its fact declarations.
 * It only ever says yes to input the JSON Schema validator (`engine/facts/validate.ts`) accepts,
 * and then normalizes exactly as `validateFacts` does; on anything it is not sure of it answers
 * `undefined` and the caller runs `validateFacts`, which gives the errors (or, for the rare valid
 * input this check is too strict for, the facts). So errors are always the reference's own.
 */
import type { FactDecl } from '../ir/types.ts';
import type { NormalizedFacts } from '../facts/validate.ts';
import { MONEY_PATTERN } from '../facts/schema.ts';
import { parseDate, yuanToFen, type Value } from '../values/index.ts';
// The evaluator's own constants: closures test booleans by identity in places.
import { FALSE, TRUE } from './expr.ts';

/** Sentinel: the input may be invalid; ask the reference validator. */
export const UNSURE = Symbol('unsure');
type Norm = (raw: unknown) => Value | typeof UNSURE;

const MONEY_RE = new RegExp(MONEY_PATTERN);

export function isRecordObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * A money fact in fen, or UNSURE where the reference validator must judge it. Shared by the
 * boxed normaliser here and the unboxed one in fast.ts, so both accept exactly the same input.
 */
export function moneyFen(raw: unknown): number | typeof UNSURE {
  if (typeof raw === 'number') {
    // Whole yuan in int32 range: exactly raw × 100 fen (-0 reads as 0, as below).
    if ((raw | 0) === raw) return raw === 0 ? 0 : raw * 100;
    if (!Number.isFinite(raw)) return UNSURE;
    // ajv's multipleOf with multipleOfPrecision 6, as configured in engine/facts/validate.ts.
    const q = raw / 0.01;
    if (Math.abs(Math.round(q) - q) > 1e-6) return UNSURE;
    // Fast path: d / 100 === raw exactly means raw's shortest decimal form has at most two
    // decimals and is d fen, which is what yuanToFen reads from its text (-0 reads as 0).
    if (Math.abs(raw) < 1e13) {
      const d = Math.round(raw * 100);
      if (d / 100 === raw) return d === 0 ? 0 : d;
    }
  } else if (typeof raw === 'string') {
    if (!MONEY_RE.test(raw)) return UNSURE;
  } else return UNSURE;
  const fen = yuanToFen(raw);
  return fen === undefined ? UNSURE : fen;
}

function moneyNorm(raw: unknown): Value | typeof UNSURE {
  const fen = moneyFen(raw);
  return fen === UNSURE ? UNSURE : { kind: 'money', fen };
}

// Dates repeat a lot across records; parsing is the costly part of reading them.
const dayCache = new Map<string, number | undefined>();

function dateNorm(raw: unknown): Value | typeof UNSURE {
  if (typeof raw !== 'string') return UNSURE;
  let day = dayCache.get(raw);
  if (day === undefined && !dayCache.has(raw)) {
    day = parseDate(raw);
    if (dayCache.size >= 100_000) dayCache.clear();
    dayCache.set(raw, day);
  }
  // Years before 100 go through Date.UTC's two-digit-year mapping; leave them to the validator.
  if (day === undefined || raw.charCodeAt(0) === 48 /* '0' */ && raw.charCodeAt(1) === 48) return UNSURE;
  return { kind: 'date', day };
}

function normFor(d: FactDecl): Norm {
  const t = d.type;
  switch (t.kind) {
    case 'boolean':
      return (raw) => (raw === true ? TRUE : raw === false ? FALSE : UNSURE);
    case 'integer':
      return (raw) => (typeof raw === 'number' && Number.isInteger(raw) ? { kind: 'number', value: raw } : UNSURE);
    case 'number':
      return (raw) => (typeof raw === 'number' && Number.isFinite(raw) ? { kind: 'number', value: raw } : UNSURE);
    case 'percent':
      return (raw) => (typeof raw === 'number' && Number.isFinite(raw) ? { kind: 'percent', ratio: raw / 100 } : UNSURE);
    case 'money':
      return moneyNorm;
    case 'date':
      return dateNorm;
    case 'string':
      return (raw) => (typeof raw === 'string' ? { kind: 'string', value: raw } : UNSURE);
    case 'enum': {
      const allowed = new Set(t.values.map((v) => v.value));
      return (raw) => (typeof raw === 'string' && allowed.has(raw) ? { kind: 'string', value: raw } : UNSURE);
    }
    case 'list': {
      const fields = t.fields.map((f) => ({ name: f.name, norm: normFor(f) }));
      const declared = new Set(t.fields.map((f) => f.name));
      return (raw) => {
        if (!Array.isArray(raw)) return UNSURE;
        const records: Record<string, Value>[] = new Array(raw.length);
        for (let i = 0; i < raw.length; i++) {
          const rec: unknown = raw[i];
          if (!isRecordObject(rec)) return UNSURE;
          for (const k in rec) if (!declared.has(k)) return UNSURE;
          const r: Record<string, Value> = {};
          for (const f of fields) {
            const x = rec[f.name];
            if (x === null || x === undefined) continue;
            const v = f.norm(x);
            if (v === UNSURE) return UNSURE;
            r[f.name] = v;
          }
          records[i] = r;
        }
        return { kind: 'list', records };
      };
    }
  }
}

/** Normalized facts for input the validator surely accepts; `undefined` when unsure. */
export type FastNormalizer = (facts: unknown) => NormalizedFacts | undefined;

export function compileNormalizer(decls: readonly FactDecl[]): FastNormalizer {
  const facts = decls.map((d) => ({ name: d.name, norm: normFor(d) }));
  const declared = new Set(decls.map((d) => d.name));
  return (input) => {
    if (input === null || input === undefined) input = {};
    if (!isRecordObject(input)) return undefined;
    for (const k in input) if (!declared.has(k)) return undefined;
    const out: NormalizedFacts = {};
    for (const f of facts) {
      const x = input[f.name];
      if (x === null || x === undefined) continue;
      const v = f.norm(x);
      if (v === UNSURE) return undefined;
      out[f.name] = v;
    }
    return out;
  };
}
