/**
 * Fact validation and normalization. Input facts are JSON as officials or systems send them;
 * output is `NormalizedFacts`: run-time values (money in fen, percents as ratios, dates as day
 * numbers) with missing facts simply absent. Errors carry a JSON pointer and name the fact by its
 * Chinese label, in Chinese and English.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import standaloneModule from 'ajv/dist/standalone/index.js';
import * as formatsModule from 'ajv-formats/dist/formats.js';
import * as ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import * as equalModule from 'ajv/dist/runtime/equal.js';
import localizeZhModule from 'ajv-i18n/localize/zh/index.js';
import type { FactDecl, PolicyIR } from '../ir/types.ts';
import type { FactError } from '../evaluate/types.ts';
import { FACT_KIND_TEXT, FACT_MSG, type Bilingual } from '../messages.ts';
import { parseDate, yuanToFen, type Value } from '../values/index.ts';
import { EXTENSION_KEYWORDS, factSchema } from './schema.ts';
import { MAX_DOC_DEPTH, jsonTooDeep } from '../../dsl/depth.ts';

/** Normalized facts: present facts only, as run-time values; list facts as lists of records. */
export type NormalizedFacts = Record<string, Value>;

// ajv, ajv-formats and ajv-i18n are CommonJS; under ESM their default export may arrive wrapped.
function cjsDefault<T>(m: { default: T }): T {
  return (m as { default?: T }).default ?? (m as unknown as T);
}
const addFormats = cjsDefault(addFormatsModule);
const localizeZh = cjsDefault(localizeZhModule);
const standaloneCode = cjsDefault(standaloneModule);

/** One configuration for the validators compiled here and the standalone ones `tiaowen build` writes. */
function newAjv(standalone: boolean): Ajv {
  // multipleOfPrecision: 12345.67 / 0.01 is not an integer in binary floating point, and the
  // error grows with the amount (318373237.97 / 0.01 is off by 4e-6), so 6 digits refused valid
  // amounts above about 10^8 yuan. 2 digits still refuses a third decimal; normalize() then checks
  // the two decimals exactly (yuanToFen).
  // ownProperties: an absent fact named like an Object.prototype member (`toString`,
  // `constructor`) is absent, not the inherited function.
  const a = new Ajv({ allErrors: true, multipleOfPrecision: 2, allowUnionTypes: true, ownProperties: true, ...(standalone ? { code: { source: true } } : {}) });
  addFormats(a, ['date']);
  a.addVocabulary([...EXTENSION_KEYWORDS]);
  return a;
}

let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  ajvInstance ??= newAjv(false);
  return ajvInstance;
}

/**
 * The facts validator of a policy as standalone CommonJS source (ajv's standalone code), for
 * modules that must run where code generation from strings is forbidden. Annotations (titles,
 * labels, descriptions) are left out: they play no part in validation, so no policy text but
 * enum values reaches the source, and those only as JSON literals. The source calls `require`
 * only for {@link VALIDATOR_REQUIRES}.
 */
export function factsValidatorSource(ir: Pick<PolicyIR, 'id' | 'title' | 'titleEn' | 'facts'>): string {
  const a = newAjv(true);
  return standaloneCode(a, a.compile(withoutAnnotations(factSchema(ir)) as object));
}

/** The modules standalone validators require, for a `require` that serves only these. */
export const VALIDATOR_REQUIRES: Readonly<Record<string, unknown>> = {
  // As CommonJS `require` returns them: module.exports, which an ESM namespace holds as `default`.
  'ajv-formats/dist/formats': cjsDefault(formatsModule as unknown as { default: unknown }),
  'ajv/dist/runtime/ucs2length': cjsDefault(ucs2lengthModule as unknown as { default: unknown }),
  'ajv/dist/runtime/equal': cjsDefault(equalModule as unknown as { default: unknown }),
};

const ANNOTATIONS = new Set<string>(['title', 'description', ...EXTENSION_KEYWORDS]);
function withoutAnnotations(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(withoutAnnotations);
  if (s === null || typeof s !== 'object') return s;
  // `properties` maps fact names (never annotations) to schemas.
  return Object.fromEntries(
    Object.entries(s).flatMap(([k, v]): [string, unknown][] =>
      k === 'properties'
        ? [[k, Object.fromEntries(Object.entries(v as object).map(([n, x]) => [n, withoutAnnotations(x)]))]]
        : ANNOTATIONS.has(k)
          ? []
          : [[k, withoutAnnotations(v)]],
    ),
  );
}

/**
 * Installs a precompiled facts validator (a standalone module's) for policies declaring exactly
 * these facts, so `validateFacts` never compiles one.
 */
export function registerFactsValidator(facts: PolicyIR['facts'], validate: ValidateFunction): void {
  precompiled.set(JSON.stringify(facts), validate);
}

// The schema depends only on the fact declarations, so validators are shared by every policy
// (and every version or variant) that declares the same facts.
// Bounded: every draft edit that changes a fact declares a new set, and a server evaluating
// drafts for months must not keep a validator (and ajv's own copy of its schema) for each.
const MAX_VALIDATORS = 256;
const byDecls = new Map<string, { v: ValidateFunction; schema: object }>();
/** Validators modules brought with them (never evicted: a module registers once, on import). */
const precompiled = new Map<string, ValidateFunction>();
const byIr = new WeakMap<object, ValidateFunction>();

function validatorFor(ir: Pick<PolicyIR, 'id' | 'title' | 'titleEn' | 'facts'>): ValidateFunction {
  const cached = byIr.get(ir);
  if (cached) return cached;
  const key = JSON.stringify(ir.facts);
  const brought = precompiled.get(key);
  if (brought) {
    byIr.set(ir, brought);
    return brought;
  }
  let e = byDecls.get(key);
  if (!e) {
    const schema = factSchema(ir);
    e = { v: ajv().compile(schema), schema };
    if (byDecls.size >= MAX_VALIDATORS) {
      const [oldest, old] = byDecls.entries().next().value!;
      byDecls.delete(oldest);
      // ajv caches every compiled schema by object; drop it with the validator.
      ajv().removeSchema(old.schema);
    }
    byDecls.set(key, e);
  }
  byIr.set(ir, e.v);
  return e.v;
}

export function validateFacts(
  ir: Pick<PolicyIR, 'id' | 'title' | 'titleEn' | 'facts'>,
  facts: unknown,
): { facts?: NormalizedFacts; errors: FactError[] } {
  if (facts === null || facts === undefined) facts = {};
  if (typeof facts !== 'object' || Array.isArray(facts)) {
    return { errors: [{ path: '', code: 'facts.type', message: FACT_KIND_TEXT.facts }] };
  }
  // Facts nest as deep as the declared list types at most; anything deeper is refused before ajv
  // (and later JSON.stringify in the decision log) recurse into it.
  const deepAt = jsonTooDeep(facts, MAX_DOC_DEPTH);
  if (deepAt !== undefined) {
    return {
      errors: [
        {
          path: deepAt,
          code: 'facts.too-deep',
          message: {
            zh: `事实嵌套超过 ${MAX_DOC_DEPTH} 层;政策声明的列表事实不会这样深`,
            en: `facts nested more than ${MAX_DOC_DEPTH} levels deep; no list fact a policy declares is this deep`,
          },
        },
      ],
    };
  }
  const validate = validatorFor(ir);
  const errors: FactError[] = [];
  if (!validate(facts)) {
    const raw = validate.errors ?? [];
    const zh = raw.map((e) => ({ ...e }));
    localizeZh(zh);
    const seen = new Set<string>();
    raw.forEach((e, i) => {
      const err = toFactError(ir.facts, e, zh[i]?.message ?? e.message ?? '');
      if (!err) return;
      const key = `${err.path}\u0000${err.code}`;
      if (seen.has(key)) return; // one error per pointer and kind (type arrays report once each)
      seen.add(key);
      errors.push(err);
    });
  }
  if (errors.length > 0) return { errors };
  // Null prototype: a fact named `__proto__` or `toString` is an entry like any other, for the
  // interpreter reading these records and for everything they are handed to.
  const out: NormalizedFacts = Object.create(null) as NormalizedFacts;
  const record = facts as Record<string, unknown>;
  for (const d of ir.facts) {
    const v = normalize(d, own(record, d.name), `/${escapePointer(d.name)}`, [labelOf(d)], errors);
    if (v !== undefined) out[d.name] = v;
  }
  return errors.length > 0 ? { errors } : { facts: out, errors };
}

/** A record's own property only: nothing inherited reads as a fact. */
function own(record: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function normalize(d: FactDecl, raw: unknown, path: string, subject: Bilingual[], errors: FactError[]): Value | undefined {
  if (raw === null || raw === undefined) return undefined;
  const t = d.type;
  switch (t.kind) {
    case 'boolean':
      return { kind: 'boolean', value: raw as boolean };
    case 'integer':
    case 'number':
      return { kind: 'number', value: raw as number };
    case 'percent':
      return { kind: 'percent', ratio: (raw as number) / 100 };
    case 'money': {
      const fen = yuanToFen(raw as number | string);
      if (fen === undefined) {
        errors.push({ path, code: 'facts.money', message: FACT_MSG.invalid(joinSubject(subject), FACT_KIND_TEXT.money) });
        return undefined;
      }
      return { kind: 'money', fen };
    }
    case 'date':
      return { kind: 'date', day: parseDate(raw as string)! };
    case 'string':
    case 'enum':
      return { kind: 'string', value: raw as string };
    case 'list': {
      const records = (raw as Record<string, unknown>[]).map((rec, i) => {
        const r = Object.create(null) as Record<string, Value>;
        for (const f of t.fields) {
          const v = normalize(
            f,
            own(rec, f.name),
            `${path}/${i}/${escapePointer(f.name)}`,
            [...subject, { zh: `[${i}]`, en: `[${i}]` }, labelOf(f)],
            errors,
          );
          if (v !== undefined) r[f.name] = v;
        }
        return r;
      });
      return { kind: 'list', records };
    }
  }
}

function toFactError(decls: readonly FactDecl[], e: ErrorObject, zhText: string): FactError | undefined {
  let path = e.instancePath;
  if (e.keyword === 'additionalProperties') {
    const name = String((e.params as { additionalProperty: string }).additionalProperty);
    path = `${path}/${escapePointer(name)}`;
    const where = locate(decls, e.instancePath);
    if (where.decls === decls) {
      return { path, code: 'facts.unknown-fact', message: FACT_MSG.unknownFact({ name, known: decls.map((d) => d.name) }) };
    }
    return {
      path,
      code: 'facts.unknown-field',
      message: FACT_MSG.unknownField({
        list: where.subject.map((s) => s.zh).join(''),
        name,
        known: (where.decls ?? []).map((d) => d.name),
      }),
    };
  }
  const where = locate(decls, path);
  const subject = joinSubject(where.subject);
  const decl = where.decl;
  if (!decl) {
    // The record itself (an array item that is not an object) or the top level.
    const what = where.isRecord ? FACT_KIND_TEXT.record : FACT_KIND_TEXT.facts;
    return { path, code: 'facts.type', message: FACT_MSG.invalid(subject, what) };
  }
  const kind = decl.type.kind;
  switch (e.keyword) {
    case 'type':
    case 'format':
    case 'pattern':
    case 'multipleOf':
      return { path, code: `facts.${kind}`, message: FACT_MSG.invalid(subject, FACT_KIND_TEXT[kind] ?? FACT_KIND_TEXT.string) };
    case 'enum':
      return {
        path,
        code: 'facts.enum',
        message: FACT_MSG.invalid(subject, decl.type.kind === 'enum' ? FACT_MSG.enumValues(decl.type.values) : FACT_KIND_TEXT.enum),
      };
    default:
      // Any other keyword: ajv's own words, localized by ajv-i18n.
      return {
        path,
        code: `facts.${e.keyword}`,
        message: FACT_MSG.invalid(subject, { zh: zhText, en: e.message ?? e.keyword }),
      };
  }
}

interface Located {
  decl?: FactDecl;
  /** The declarations at the level the pointer ends in (for unknown names). */
  decls?: readonly FactDecl[];
  subject: Bilingual[];
  isRecord: boolean;
}

/** Walks a JSON pointer through the fact declarations. */
function locate(decls: readonly FactDecl[], pointer: string): Located {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
  let level: readonly FactDecl[] | undefined = decls;
  let decl: FactDecl | undefined;
  const subject: Bilingual[] = [];
  let isRecord = false;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    if (decl && decl.type.kind === 'list' && /^\d+$/.test(seg)) {
      subject.push({ zh: `[${seg}]`, en: `[${seg}]` });
      level = decl.type.fields;
      decl = undefined;
      isRecord = true;
      continue;
    }
    decl = level?.find((d) => d.name === seg);
    isRecord = false;
    if (!decl) return { decls: level, subject: [...subject, { zh: seg, en: seg }], isRecord };
    subject.push(labelOf(decl));
    level = undefined;
  }
  return { decl, decls: decl ? undefined : level, subject, isRecord };
}

function labelOf(d: FactDecl): Bilingual {
  return { zh: d.label, en: d.labelEn ?? d.name };
}

function joinSubject(parts: Bilingual[]): Bilingual {
  if (parts.length === 0) return { zh: '事实', en: 'facts' };
  const join = (k: 'zh' | 'en') => parts.map((p, i) => (i > 0 && !p[k].startsWith('[') ? '.' : '') + p[k]).join('');
  return { zh: join('zh'), en: join('en') };
}

export function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}
