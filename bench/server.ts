/** Starts `tiaowen serve` on the benchmark policies for the HTTP rows and the profile (bench/). */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { POLICY_DIR } from './load.ts';

export interface BenchServer {
  child: ChildProcessByStdio<null, Readable, Readable | null>;
  url: string;
  /** The first admin's token, printed by the server at first start. */
  token: string;
}

/**
 * A server process on a fresh data folder, `nodeArgs` before the script (e.g. `--cpu-prof`);
 * resolves once it listens and has printed its first admin token. Its access log is drained.
 */
export async function startBenchServer(data: string, opts: { nodeArgs?: string[]; stderr?: 'pipe' | 'inherit' } = {}): Promise<BenchServer> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'server/cli/main.ts', 'serve', '--port', '0', '--data', data, '--policies', POLICY_DIR], {
    cwd: path.resolve(import.meta.dirname, '..'),
    stdio: ['ignore', 'pipe', opts.stderr ?? 'pipe'],
  }) as BenchServer['child'];
  let out = '';
  const { url, token } = await new Promise<{ url: string; token: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const u = /listening on (http:\/\/\S+)/.exec(out);
      const t = /Bearer (tw_\S+)/.exec(out);
      if (u && t) {
        clearTimeout(timer);
        // From here on the server writes its access log: drained, not kept.
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({ url: u[1]!, token: t[1]! });
      }
    });
    child.on('exit', () => reject(new Error(`server exited: ${out}`)));
  }).catch((e: unknown) => {
    child.kill('SIGKILL');
    throw e;
  });
  return { child, url, token };
}
