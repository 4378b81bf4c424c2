import { performance } from 'node:perf_hooks';

/** Counters and sums for `/metrics`, in the Prometheus text format. */
export class Metrics {
  private requests = new Map<string, number>();
  private durations = new Map<string, { sum: number; count: number }>();
  decisions = 0;
  batchLines = 0;
  jobsStarted = 0;
  startedAt = Date.now();

  observe(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${esc(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const dk = `method="${method}",route="${esc(route)}"`;
    const d = this.durations.get(dk) ?? { sum: 0, count: 0 };
    d.sum += seconds;
    d.count++;
    this.durations.set(dk, d);
  }

  render(extra: Record<string, number> = {}): string {
    const out: string[] = [];
    out.push('# HELP tiaowen_http_requests_total HTTP requests by route and status.', '# TYPE tiaowen_http_requests_total counter');
    for (const [k, v] of this.requests) out.push(`tiaowen_http_requests_total{${k}} ${v}`);
    out.push('# HELP tiaowen_http_request_duration_seconds Time to answer, by route.', '# TYPE tiaowen_http_request_duration_seconds summary');
    for (const [k, d] of this.durations) {
      out.push(`tiaowen_http_request_duration_seconds_sum{${k}} ${d.sum}`, `tiaowen_http_request_duration_seconds_count{${k}} ${d.count}`);
    }
    // Time the main thread spent running code (not waiting): its share of wall time is how close
    // the server is to the limit of its one JavaScript thread.
    const loop = performance.eventLoopUtilization();
    const gauges: Record<string, [string, number]> = {
      tiaowen_event_loop_busy_seconds_total: ['Seconds the main thread spent running code since start.', loop.active / 1000],
      tiaowen_decisions_total: ['Decisions made and logged by this process.', this.decisions],
      tiaowen_batch_lines_total: ['Batch lines processed by this process.', this.batchLines],
      tiaowen_jobs_started_total: ['Simulation jobs started by this process.', this.jobsStarted],
      tiaowen_uptime_seconds: ['Seconds since start.', (Date.now() - this.startedAt) / 1000],
    };
    for (const [name, v] of Object.entries(extra)) gauges[name] = [EXTRA_HELP[name] ?? '', v];
    for (const [name, [help, v]] of Object.entries(gauges)) {
      if (help) out.push(`# HELP ${name} ${help}`);
      out.push(`# TYPE ${name} ${name.endsWith('_total') ? 'counter' : 'gauge'}`, `${name} ${v}`);
    }
    return out.join('\n') + '\n';
  }
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

const EXTRA_HELP: Record<string, string> = {
  tiaowen_decision_log_commits_total: 'Group commits of the decision log.',
  tiaowen_decision_log_rows_total: 'Decisions committed to the decision log.',
  tiaowen_decision_log_commit_seconds_total: 'Seconds the decision log spent committing (the single SQLite writer at work).',
};
