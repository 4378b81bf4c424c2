/** The compiled evaluator: resolved policies compiled to closures for batch and simulation speed. */
export { compilePolicy, type CompiledPolicy, type DecideOptions, type CompactDecision, type CompactReuse } from './policy.ts';
export { workdaysBetweenFast } from './workdays.ts';
