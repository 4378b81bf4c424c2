/** The compiled evaluator: resolved policies compiled to generated JavaScript (./generate.ts) for batch, simulation and the server. */
export { compilePolicy, fromFactory, generatedFor, type CompiledPolicy, type CompileOptions, type DecideOptions, type CompactDecision, type Factory } from './policy.ts';
export { generate, standaloneModule, Unsupported, type Generated, type Statics } from './generate.ts';
export { workdaysBetweenFast } from './workdays.ts';
export { VALIDATOR_REQUIRES } from '../facts/validate.ts';
