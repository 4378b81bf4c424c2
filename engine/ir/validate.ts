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
  return diag('ir.schema', { pointer: e.instancePath, detail: describe(e) });
}

/** ajv's own English text plus the offending keyword's parameters, which say what was expected. */
function describe(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unexpected property "${String(p.additionalProperty)}"`;
    case 'required':
      return `missing property "${String(p.missingProperty)}"`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'discriminator':
      return `unknown ${String(p.tag)} ${JSON.stringify(p.tagValue)}`;
    default:
      return e.message ?? e.keyword;
  }
}
