export { factSchema, type JsonSchema } from './schema.ts';
export { validateFacts, type NormalizedFacts } from './validate.ts';
export { exampleFacts, sampleFacts, type SampleOptions } from './sample.ts';
export { matchColumn, similarity, suggestFacts, type ColumnSuggestion } from './columns.ts';
