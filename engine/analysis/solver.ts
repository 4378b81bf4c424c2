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

/** The shared context; the first call loads the Wasm module. */
export function solverContext(): Promise<Z3> {
  loading ??= init().then((api) => ({ api, ctx: new api.Context('tw') }));
  return loading.then((l) => l.ctx);
}

/** Stops Z3's worker threads so the process can exit; the next `solverContext` loads it again. */
export async function shutdownSolver(): Promise<void> {
  if (!loading) return;
  const l = await loading;
  loading = undefined;
  await killThreads(l.api.em);
}

export type CheckResult = { status: 'sat'; model: Z3Model } | { status: 'unsat' } | { status: 'unknown'; reason: string };

/** Checks a conjunction of constraints with a timeout; "unknown" carries Z3's reason (timeout, incomplete, …). */
export async function checkSat(ctx: Z3, constraints: readonly B[], timeoutMs: number): Promise<CheckResult> {
  const s = new ctx.Solver();
  s.set('timeout', timeoutMs);
  for (const c of constraints) s.add(c);
  const r = await s.check();
  if (r === 'sat') return { status: 'sat', model: s.model() };
  if (r === 'unsat') return { status: 'unsat' };
  return { status: 'unknown', reason: s.reasonUnknown() || 'unknown' };
}
