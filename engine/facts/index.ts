export { factSchema, type JsonSchema } from './schema.ts';
export { validateFacts, type NormalizedFacts } from './validate.ts';
