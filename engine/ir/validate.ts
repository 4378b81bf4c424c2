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
  const validate = getValidator();
  if (validate(json)) return { value: json as PolicyIR, diagnostics: [] };
  return { diagnostics: (validate.errors ?? []).map(toDiagnostic) };
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
