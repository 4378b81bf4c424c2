// autocannon ships no types; the benchmark uses only this much of it.
declare module 'autocannon' {
  interface Result {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    /** Bytes per second of answers. */
    throughput: { average: number };
  }
  export default function autocannon(opts: Record<string, unknown>): Promise<Result>;
}
