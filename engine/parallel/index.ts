/** Parallel batch evaluation and simulation over worker threads (node-only). */
export { WorkerPool, type PoolOptions, type Task, type TaskResult } from './pool.ts';
export type { BatchLineResult } from './protocol.ts';
export { simulateChunk, simulateCompactChunk, type CompactDecider, outcomeOf, countDecision, addCounts, emptyCounts, type SideCounts, type RecordOutcome, type ChunkSimulation } from './simulate.ts';
