/**
 * Z3 (the `z3-solver` package: Z3 compiled to WebAssembly) loaded once per process. Loading is
 * async and takes a fraction of a second; Z3's worker threads keep Node alive until
 * `shutdownSolver` terminates them, so the CLI and tests call it when done.
 */
import { init, killThreads, type Arith, type Bool, type Context, type Model, type Solver } from 'z3-solver';

/** One context name for every term we build; z3-solver types terms by their context's name. */
export type Name = 'tw';
export type Z3 = Context<Name>;
export type A = Arith<Name>;
export type B = Bool<Name>;
export type Z3Model = Model<Name>;
export type Z3Solver = Solver<Name>;

type Api = Awaited<ReturnType<typeof init>>;

let loading: Promise<{ api: Api; ctx: Z3 }> | undefined;

/** Emscripten's thread pool, as far as we touch it (z3-solver types `em` as any). */
interface ThreadPool {
  PThread?: { unusedWorkers?: { unref?: () => void }[]; runningWorkers?: { unref?: () => void }[] };
}

/**
 * Z3's worker threads are Node `Worker`s, which keep the process alive. Between queries they are
 * idle, so they are unref'd: a CLI or test that forgets `shutdownSolver` still exits. While a
 * query runs, `checkSat` holds a timer so the process waits for the answer.
 */
function unrefWorkers(): void {
  const pool = (api as ThreadPool | undefined)?.PThread;
  for (const w of [...(pool?.unusedWorkers ?? []), ...(pool?.runningWorkers ?? [])]) w.unref?.();
}

let api: unknown;

/** The shared context; the first call loads the Wasm module. */
export function solverContext(): Promise<Z3> {
  loading ??= init().then((loaded) => {
    api = loaded.em;
    unrefWorkers();
    return { api: loaded, ctx: new loaded.Context('tw') };
  });
  return loading.then((l) => l.ctx);
}

/** Stops Z3's worker threads so the process can exit; the next `solverContext` loads it again. */
export async function shutdownSolver(): Promise<void> {
  if (!loading) return;
  const l = await loading;
  loading = undefined;
  api = undefined;
  await killThreads(l.api.em);
}

export type CheckResult = { status: 'sat'; model: Z3Model } | { status: 'unsat' } | { status: 'unknown'; reason: string };

/**
 * The time a query may take: `timeoutMs`, cut to what is left before `deadline`; 0 when the
 * deadline has passed (the caller then answers "unknown (timeout)" without asking). Throws when
 * `signal` is aborted, so a cancelled analysis stops between queries.
 */
export function queryBudget(timeoutMs: number, deadline?: number, signal?: AbortSignal): number {
  signal?.throwIfAborted();
  if (deadline === undefined) return timeoutMs;
  return Math.max(0, Math.min(timeoutMs, Math.floor(deadline - Date.now())));
}

/** Checks a conjunction of constraints with a timeout; "unknown" carries Z3's reason (timeout, incomplete, …). */
export async function checkSat(ctx: Z3, constraints: readonly B[], timeoutMs: number): Promise<CheckResult> {
  const s = new ctx.Solver();
  s.set('timeout', timeoutMs);
  for (const c of constraints) s.add(c);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let r: Awaited<ReturnType<typeof s.check>>;
  try {
    r = await s.check();
  } finally {
    clearInterval(keepAlive);
    unrefWorkers();
  }
  // Released now rather than when the garbage collector gets to it: a solver holds its whole
  // problem in Z3's WebAssembly heap, which cannot grow past 4 GiB, and a run over the library
  // makes hundreds of them faster than a loaded machine collects. A model keeps its own reference.
  try {
    if (r === 'sat') return { status: 'sat', model: s.model() };
    if (r === 'unsat') return { status: 'unsat' };
    return { status: 'unknown', reason: s.reasonUnknown() || 'unknown' };
  } finally {
    s.release();
  }
}
