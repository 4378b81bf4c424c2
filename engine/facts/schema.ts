/**
 * JSON Schema of the facts a policy reads, generated from its fact declarations. Forms in the
 * admin UI are built from it and `validateFacts` checks input against it. Every fact is optional
 * (absent or null means missing, which makes the rules that need it undetermined); facts the
 * policy does not declare are rejected.
 */
import type { FactDecl, PolicyIR } from '../ir/types.ts';

/** Money: a number or a decimal string, in yuan, at most two decimals. */
export const MONEY_PATTERN = '^-?\\d+(\\.\\d{1,2})?$';

export type JsonSchema = Record<string, unknown>;

export function factSchema(ir: Pick<PolicyIR, 'id' | 'title' | 'titleEn' | 'facts'>): JsonSchema {
  const schema: JsonSchema = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: ir.title,
    type: 'object',
    additionalProperties: false,
    properties: properties(ir.facts),
  };
  if (ir.titleEn) schema['x-label-en'] = ir.titleEn;
  return schema;
}

function properties(decls: readonly FactDecl[]): Record<string, JsonSchema> {
  // fromEntries defines own properties, so a fact named `__proto__` is a property like any other
  // (assigning `out['__proto__']` would set the object's prototype instead).
  return Object.fromEntries(decls.map((d) => [d.name, declSchema(d)]));
}

/** Extension keywords the validator must accept (ajv strict mode rejects unknown keywords). */
export const EXTENSION_KEYWORDS = ['x-label-en', 'x-labels', 'x-labels-en', 'x-kind'] as const;

function declSchema(d: FactDecl): JsonSchema {
  const s: JsonSchema = { title: d.label };
  if (d.labelEn) s['x-label-en'] = d.labelEn;
  if (d.description) s.description = d.description;
  const t = d.type;
  s['x-kind'] = t.kind;
  switch (t.kind) {
    case 'boolean':
      s.type = ['boolean', 'null'];
      break;
    case 'integer':
      s.type = ['integer', 'null'];
      break;
    case 'number':
      s.type = ['number', 'null'];
      break;
    case 'percent':
      // As written: 3.5 means 3.5%.
      s.type = ['number', 'null'];
      break;
    case 'money':
      // multipleOf applies to numbers only, pattern to strings only.
      s.type = ['number', 'string', 'null'];
      s.multipleOf = 0.01;
      s.pattern = MONEY_PATTERN;
      break;
    case 'date':
      s.type = ['string', 'null'];
      s.format = 'date';
      break;
    case 'string':
      s.type = ['string', 'null'];
      break;
    case 'enum': {
      s.enum = [...t.values.map((v) => v.value), null];
      s['x-labels'] = Object.fromEntries(t.values.map((v) => [v.value, v.label]));
      const en = t.values.filter((v) => v.labelEn);
      if (en.length > 0) s['x-labels-en'] = Object.fromEntries(en.map((v) => [v.value, v.labelEn]));
      break;
    }
    case 'list':
      s.type = ['array', 'null'];
      s.items = { type: 'object', additionalProperties: false, properties: properties(t.fields) };
      break;
  }
  return s;
}
