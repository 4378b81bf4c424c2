/**
 * Server instances as real processes (../serve-child.ts) for the scale-out tests: start, call,
 * kill, and wait for a condition with a generous bound (never a fixed sleep).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface Instance {
  child: ChildProcess;
  url: string;
  adminToken: string | null;
}

export function startInstance(dataDir: string, store = ''): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'serve-child.ts'), dataDir, store], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let err = '';
    child.stderr!.on('data', (d) => (err += String(d)));
    lines.once('line', (line) => resolve({ child, ...(JSON.parse(line) as { url: string; adminToken: string | null }) }));
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

/**
 * A token made by the operator with `tiaowen token create` (the store in hand): a reviewer or admin
 * an admin makes over the API waits for a second admin's approval, which a one-admin test lacks.
 */
export async function operatorToken(dataDir: string, store: string, role: string, name: string): Promise<string> {
  const { main } = await import('../../../server/cli/main.ts');
  const out: string[] = [];
  const code = await main(['token', 'create', '--role', role, '--name', name, ...(store ? ['--store', store] : ['--data', dataDir])], { out: (s) => out.push(s), err: (s) => out.push(s) });
  const token = out.find((l) => /^tw_/.test(l));
  if (code !== 0 || !token) throw new Error(`token create: ${out.join('\n')}`);
  return token;
}

export const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) => (child.exitCode !== null || child.signalCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));

export async function call<T = Record<string, unknown>>(
  url: string,
  token: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(json ? { 'content-type': 'application/json' } : {}) },
    body: json ? JSON.stringify(json) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
}

/** Polls `check` until it returns a value, for at most `ms` (a bound for slow machines, not a wait). */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const policySource = (id: string, version: string, article: string) => `policy "${id}"
  title "扩展测试"
  jurisdiction scale
  version "${version}"
  effective from 2020-01-01
  source 办法 "测试办法"

facts
  违规 "违规": boolean

rule r1 "规则"
  cites 办法 "${article}"
  when 违规
  then violation
    message "违规"
`;
