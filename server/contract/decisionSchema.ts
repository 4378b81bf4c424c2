/**
 * The JSON Schema (2020-12) of the decisions one policy version gives: the general Decision of the
 * contract with this version's rule ids, outcome kinds and computed names spelled out, so a caller
 * can validate the answers as well as the facts it sends (GET …/versions/{v}/schema?of=decision).
 * Standalone: the components it uses are copied into `$defs`.
 */
import type { PolicyIR } from '../../engine/ir/types.ts';
import { OPENAPI } from '../openapi.ts';
import type { JsonSchemaDoc } from './wire.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const COMPONENTS = OPENAPI.components.schemas as Record<string, Json>;
const PREFIX = '#/components/schemas/';

/** `name` and every component it refers to, with refs pointing into `$defs`. */
function closure(names: string[]): Record<string, Json> {
  const defs: Record<string, Json> = {};
  const rewrite = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(PREFIX)) {
        const name = x.slice(PREFIX.length);
        add(name);
        out.$ref = `#/$defs/${name}`;
      } else out[k] = rewrite(x);
    }
    return out;
  };
  const add = (name: string) => {
    if (name in defs) return;
    defs[name] = null; // placeholder: cycles (ConditionTrace) stop here
    defs[name] = rewrite(COMPONENTS[name]);
  };
  names.forEach(add);
  return defs;
}

const ids = (values: string[]) => (values.length > 0 ? { type: 'string', enum: values } : { not: {} });

export function decisionSchema(ir: PolicyIR): JsonSchemaDoc {
  const ruleIds = ir.rules.map((r) => r.id);
  const $defs = closure(['Decision']);
  const fired = ir.rules.map((r) => ({
    properties: {
      ruleId: { const: r.id },
      kind: { const: r.then.kind },
      computed: {
        type: 'object',
        properties: Object.fromEntries(r.then.computed.map((c) => [c.name, { $ref: '#/$defs/ComputedEntry' }])),
        required: r.then.computed.map((c) => c.name),
        additionalProperties: false,
      },
    },
  }));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `Decision: ${ir.id} ${ir.version}`,
    description: `A decision of ${ir.title} (${ir.id} ${ir.version}), base rules included: the general Decision with this version's rule ids, outcome kinds and computed values.`,
    allOf: [
      { $ref: '#/$defs/Decision' },
      {
        properties: {
          policy: { properties: { id: { const: ir.id }, version: { const: ir.version }, jurisdiction: { const: ir.jurisdiction } } },
          outcomes: { items: { oneOf: fired as Json[] } },
          undetermined: { items: { properties: { ruleId: ids(ruleIds) } } },
          suppressed: { items: { properties: { ruleId: ids(ruleIds), byRuleId: ids(ruleIds) } } },
          notFired: { items: ids(ruleIds) },
        },
      },
    ],
    $defs,
  } as JsonSchemaDoc;
}
