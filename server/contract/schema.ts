/**
 * Helpers for writing wire shapes once with TypeBox: the TypeScript type (`Static<>`), the JSON
 * Schema ajv validates with, and the OpenAPI component come from the same value.
 *
 * A shape that should become a named component is made with `named(name, schema)`: it carries
 * `$id: name`, and server/openapi.ts replaces every nested occurrence with a `$ref` to
 * `#/components/schemas/<name>`. JSON Schema 2020-12 throughout (OpenAPI 3.1's dialect), which
 * is why tuples are built here with `prefixItems` rather than with `Type.Tuple` (draft-07 form).
 */
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/** Marks `schema` as the component `name` (see server/openapi.ts for how it becomes a `$ref`). */
export function named<T extends TSchema>(name: string, schema: T): T {
  (schema as TSchema & { $id?: string }).$id = name;
  return schema;
}

/** A calendar date, `YYYY-MM-DD` (ajv-formats checks it is a real day). */
export const IsoDate = (description?: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', ...(description ? { description } : {}) });

/** An object whose keys are free (fact names, rule ids, kinds) and whose values all have one shape. */
export function Dict<V extends TSchema>(value: V, options: { description?: string } = {}): TUnsafe<Record<string, Static<V>>> {
  return Type.Unsafe<Record<string, Static<V>>>({ type: 'object', additionalProperties: value, ...options });
}

type StaticTuple<T extends readonly TSchema[]> = { -readonly [K in keyof T]: T[K] extends TSchema ? Static<T[K]> : never };

/** A fixed-length array, 2020-12 style (`prefixItems`, `items: false`). */
export function Tuple<const T extends readonly TSchema[]>(items: T): TUnsafe<StaticTuple<T>> {
  return Type.Unsafe<StaticTuple<T>>({ type: 'array', prefixItems: [...items], items: false, minItems: items.length, maxItems: items.length });
}

/** `T | null` as `anyOf [T, {type: null}]`. */
export const Nullable = <T extends TSchema>(schema: T, options: { description?: string } = {}) => Type.Union([schema, Type.Null()], options);

/** Any JSON value (what the caller sent and gets back unchanged). */
export const AnyJson = (description?: string) => Type.Unknown(description ? { description } : {});

/** A string from a fixed set, as `{type: string, enum}` (what OpenAPI tools read best). */
export function Literals<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
