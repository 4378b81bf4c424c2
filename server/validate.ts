/**
 * Request body checks against the schemas of the contract (server/contract/), as components of
 * the OpenAPI document, with paths in the details. The same ajv instance checks responses in
 * tests (`contractValidator`).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Context } from 'hono';
import { ApiError, type ErrorDetail } from './errors.ts';
import { OPENAPI } from './openapi.ts';
import { MAX_DOC_DEPTH, jsonTextTooDeep } from '../dsl/depth.ts';

// ajv-formats is CommonJS; under ESM its default export may arrive wrapped.
type AddFormats = (a: Ajv2020, formats: string[]) => void;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

let ajv: Ajv2020 | undefined;
let firstErrorAjv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/**
 * A validator for a schema of the OpenAPI document: its `$ref`s (`#/components/schemas/…`) resolve
 * in the document. `schema` is a document schema (JSON), or a component's name.
 */
export function contractValidator(schema: object | string, opts: { allErrors?: boolean } = {}): ValidateFunction {
  const all = opts.allErrors ?? true;
  const key = `${all ? 'all' : 'first'}:${typeof schema === 'string' ? schema : JSON.stringify(schema)}`;
  let v = compiled.get(key);
  if (!v) {
    const instance = all ? (ajv ??= documentAjv(true)) : (firstErrorAjv ??= documentAjv(false));
    // Local refs of a document schema point into the document, which ajv knows as `tiaowen`.
    const body = typeof schema === 'string' ? { $ref: `#/components/schemas/${schema}` } : schema;
    v = instance.compile(JSON.parse(JSON.stringify(body).replaceAll('"#/components/', '"tiaowen#/components/')) as object);
    compiled.set(key, v);
  }
  return v;
}

/**
 * An ajv holding the document. Requests are checked with every error (details for the caller);
 * answers (the test-mode response check) stop at the first: with every error, a `oneOf` over the
 * IR's expression kinds walks every branch at every level, exponential in an expression's depth.
 */
function documentAjv(allErrors: boolean): Ajv2020 {
  // discriminator: the IR schema (a component) uses OpenAPI's discriminator keyword.
  const a = new Ajv2020({ allErrors, strict: false, discriminator: true });
  // `format: date` rejects impossible dates such as 2018-02-30, which the pattern lets through.
  addFormats(a, ['date']);
  a.addSchema({ $id: 'tiaowen', components: OPENAPI.components } as object);
  return a;
}

function validator(schema: TSchema): ValidateFunction {
  const name = (schema as { $id?: string }).$id;
  if (!name) throw new Error('validate: a request schema must be a named component');
  return contractValidator(name);
}

/** Turns ajv errors into details with JSON pointers and both languages. */
export function ajvDetails(errors: readonly ErrorObject[] | null | undefined, prefix = ''): ErrorDetail[] {
  return (errors ?? [])
    .map((e) => {
      const path = prefix + (e.keyword === 'required' ? `${e.instancePath}/${(e.params as { missingProperty: string }).missingProperty}` : e.keyword === 'additionalProperties' ? `${e.instancePath}/${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath || '/');
      return { path, code: `schema.${e.keyword}`, message: describe(e) };
    });
}

function describe(e: ErrorObject): { zh: string; en: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { zh: `缺少必填字段 ${String(p.missingProperty)}`, en: `missing required field ${String(p.missingProperty)}` };
    case 'additionalProperties':
      return { zh: `不认识的字段 ${String(p.additionalProperty)}`, en: `unknown field ${String(p.additionalProperty)}` };
    case 'type':
      return { zh: `类型应为 ${String(p.type)}`, en: `must be of type ${String(p.type)}` };
    case 'enum':
      return { zh: `取值应为 ${JSON.stringify(p.allowedValues)} 之一`, en: `must be one of ${JSON.stringify(p.allowedValues)}` };
    case 'pattern':
      return { zh: `格式不对(应为 YYYY-MM-DD 等)`, en: `does not match the expected format ${String(p.pattern)}` };
    case 'oneOf':
      return { zh: '应给出 from 或 source 之一', en: 'give exactly one of the alternatives (e.g. `from` or `source`)' };
    case 'format':
      return { zh: `不是合法的${p.format === 'date' ? '日期(YYYY-MM-DD)' : String(p.format)}`, en: `is not a valid ${String(p.format)}${p.format === 'date' ? ' (YYYY-MM-DD, a real calendar date)' : ''}` };
    case 'minLength':
      return { zh: '不能为空', en: 'must not be empty' };
    default:
      return { zh: `不符合要求(${e.keyword})`, en: e.message ?? e.keyword };
  }
}

export function check<T extends TSchema>(schema: T, value: unknown, prefix = ''): Static<T> {
  const v = validator(schema);
  if (!v(value)) throw ApiError.of(400, 'http.invalid-body', ajvDetails(v.errors, prefix));
  return value as Static<T>;
}

/** Reads a JSON body: 415 unless JSON, 400 when malformed, then checks it against `name`. */
export async function jsonBody<T extends TSchema>(c: Context, schema: T, opts: { optional?: boolean } = {}): Promise<Static<T>> {
  const type = c.req.header('content-type') ?? '';
  const length = c.req.header('content-length');
  if (opts.optional && (length === '0' || (!type && !length))) return check(schema, {});
  if (!/^application\/(json|[\w.+-]+\+json)\b/i.test(type)) {
    throw ApiError.of(415, 'http.unsupported-media-type', [
      { path: 'header.content-type', message: { zh: `应为 application/json,收到 ${type || '(无)'}`, en: `expected application/json, got ${type || '(none)'}` } },
    ]);
  }
  const text = await c.req.text();
  if (opts.optional && text.trim() === '') return check(schema, {});
  return check(schema, parseJson(text));
}

/**
 * JSON.parse, refusing first what nests deeper than MAX_DOC_DEPTH (dsl/depth.ts): everything after
 * (ajv, the engine, JSON.stringify into the decision log) recurses with the value. `where` prefixes
 * the detail path (a batch line).
 */
export function parseJson(text: string, where = '/'): unknown {
  const at = jsonTextTooDeep(text, MAX_DOC_DEPTH);
  if (at >= 0) {
    throw ApiError.of(400, 'http.too-deep', [
      {
        path: where,
        code: 'http.too-deep',
        message: { zh: `在第 ${at + 1} 个字符处嵌套超过 ${MAX_DOC_DEPTH} 层`, en: `nested more than ${MAX_DOC_DEPTH} levels deep at character ${at + 1}` },
      },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw ApiError.of(400, 'http.malformed-json', [{ path: where, message: { zh: 'JSON 解析失败', en: (e as Error).message } }]);
  }
}

export function intQuery(c: Context, name: string, dflt: number, min: number, max: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw ApiError.of(400, 'http.invalid-query', [
      { path: `query.${name}`, message: { zh: `应为 ${min} 到 ${max} 之间的整数`, en: `must be an integer from ${min} to ${max}` } },
    ]);
  }
  return n;
}

export function dateQuery(c: Context, name: string): string | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!isIsoDate(raw)) {
    throw ApiError.of(400, 'http.invalid-query', [
      { path: `query.${name}`, message: { zh: '应为日期 YYYY-MM-DD', en: 'must be a date YYYY-MM-DD' } },
    ]);
  }
  return raw;
}

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}
