/**
 * Schema validation of IR JSON (from storage, the wire, or our own lowering). Every ajv error
 * becomes an `ir.schema` diagnostic naming the JSON pointer, so a bad stored policy is reported
 * like a bad source file rather than thrown.
 */
import Ajv2020Import from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import schema from './schema.json' with { type: 'json' };
import type { Diagnostic, Result } from '../../dsl/diagnostics.ts';
import type { PolicyIR } from './types.ts';
import { diag } from './messages.ts';
import { MAX_DEPTH, MAX_DOC_DEPTH, jsonTooDeep } from '../../dsl/depth.ts';

// ajv ships CommonJS with `exports.default`; depending on the loader the class is the module or its default.
const Ajv2020 = ((Ajv2020Import as unknown as { default?: unknown }).default ?? Ajv2020Import) as typeof Ajv2020Import.default;

let validator: ValidateFunction | undefined;

/** The compiled validator, built on first use: compiling the schema costs more than validating. */
function getValidator(): ValidateFunction {
  if (!validator) {
    // strictRequired is off: discriminated unions list the tag in `required` at the union level by design.
    const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: true, strictRequired: false, allowUnionTypes: true });
    validator = ajv.compile(schema);
  }
  return validator;
}

/** The JSON Schema of `PolicyIR` (draft 2020-12). */
export const IR_SCHEMA: object = schema;

export function validateIr(json: unknown): Result<PolicyIR> {
  // ajv's generated code recurses with the document; bound it first (see dsl/depth.ts).
  const deepAt = jsonTooDeep(json, MAX_DOC_DEPTH);
  if (deepAt !== undefined) return { diagnostics: [diag('ir.too-deep', { pointer: deepAt, what: 'document', max: MAX_DOC_DEPTH })] };
  const validate = getValidator();
  if (!validate(json)) return { diagnostics: (validate.errors ?? []).map(toDiagnostic) };
  const nested = tooDeepIr(json);
  if (nested) return { diagnostics: [diag('ir.too-deep', { ...nested, max: MAX_DEPTH })] };
  return { value: json as PolicyIR, diagnostics: [] };
}

/**
 * The first expression or list type nested deeper than MAX_DEPTH, the same limit the DSL and YAML
 * readers enforce, so IR sent directly is bounded like IR compiled from text. Expression nodes
 * are the objects with a string `type`; list types the objects with `kind: 'list'`. Iterative.
 */
function tooDeepIr(json: unknown): { pointer: string; what: 'expression' | 'list' } | undefined {
  const stack: [unknown, number, number, string][] = [[json, 0, 0, '']];
  while (stack.length > 0) {
    const [v, exprs, lists, ptr] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    const e = typeof o.type === 'string' ? exprs + 1 : exprs;
    const l = o.kind === 'list' ? lists + 1 : lists;
    if (e > MAX_DEPTH) return { pointer: ptr, what: 'expression' };
    if (l > MAX_DEPTH) return { pointer: ptr, what: 'list' };
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(o);
    for (const [k, x] of entries) stack.push([x, e, l, `${ptr}/${k}`]);
  }
  return undefined;
}

function toDiagnostic(e: ErrorObject): Diagnostic {
  const d = describe(e);
  return diag('ir.schema', { pointer: e.instancePath, detail: d.en, detailZh: d.zh });
}

/** What was wrong, from the keyword that failed and its parameters (which say what was expected). */
function describe(e: ErrorObject): { zh: string; en: string } {
  const p = e.params as Record<string, unknown>;
  const json = (v: unknown): string => JSON.stringify(v);
  switch (e.keyword) {
    case 'additionalProperties':
      return { zh: `不应有属性“${String(p.additionalProperty)}”`, en: `unexpected property "${String(p.additionalProperty)}"` };
    case 'required':
      return { zh: `缺少属性“${String(p.missingProperty)}”`, en: `missing property "${String(p.missingProperty)}"` };
    case 'const':
      return { zh: `应为 ${json(p.allowedValue)}`, en: `must be ${json(p.allowedValue)}` };
    case 'enum': {
      const vals = (p.allowedValues as unknown[]).map(json).join(', ');
      return { zh: `应为以下之一:${vals}`, en: `must be one of ${vals}` };
    }
    case 'discriminator':
      return { zh: `未知的 ${String(p.tag)}:${json(p.tagValue)}`, en: `unknown ${String(p.tag)} ${json(p.tagValue)}` };
    case 'type':
      return { zh: `类型应为 ${String(p.type)}`, en: `must be ${String(p.type)}` };
    case 'pattern':
      return { zh: `格式不符(应形如 2017-08-01)`, en: `does not match ${String(p.pattern)} (a date like 2017-08-01)` };
    case 'minLength':
    case 'minItems':
      return { zh: `不能为空`, en: e.message ?? 'must not be empty' };
    default:
      return { zh: e.message ?? e.keyword, en: e.message ?? e.keyword };
  }
}
