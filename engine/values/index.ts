/** Run-time values of the engine: money in fen, percents as ratios, dates as day numbers, unknowns. */
export * from './value.ts';
export * from './money.ts';
export * from './dates.ts';
export * from './workdays.ts';
export * from './ops.ts';
