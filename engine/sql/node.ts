/**
 * The SQL stage, node part: datasets (Parquet, CSV, XLSX, JSONL in DuckDB; PostgreSQL tables),
 * the simulation runner and the in-process check. What the server's simulate jobs call.
 */
export * from './index.ts';
export { openDuckDb, type DuckDb, type DuckDbOptions } from './duckdb.ts';
export { openPostgres, installHelpers, type PgSql } from './postgres.ts';
export { parseDataArg, attachFile, attachPostgresTable, type DatasetSpec, type AttachedDataset } from './dataset.ts';
export {
  runSqlSimulation,
  SqlSimulationError,
  type RunSqlSimulationOptions,
  type SqlSimulationResult,
  type SqlProgress,
  type Coverage,
  type RuleCoverage,
  type ChangedRecord,
} from './simulate.ts';
export { simulateInProcess, readFacts, factsOfRow } from './inprocess.ts';

/**
 * From how many records a simulation is cheaper as SQL than on the worker pool: starting DuckDB,
 * installing the calendar and planning the query cost about a second; the pool judges about
 * 120,000 records × 2 versions a second on two cores (docs/performance.md).
 */
export const SQL_SIMULATION_THRESHOLD = 200_000;
