/**
 * A program that decides in its own process with `tiaowen/client` (from source), driven by JSON
 * lines on stdin: `{"cmd":"decide","facts":…,"asOf":…}`, `{"cmd":"status"}`, `{"cmd":"flush"}`;
 * one JSON line answers each. Arguments: a JSON object of BundleClientOptions (publicKey as PEM).
 */
import { createInterface } from 'node:readline';
import { BundleClient, type BundleClientOptions } from '../../../server/client/index.ts';

const opts = JSON.parse(process.argv[2]!) as BundleClientOptions;
const errors: string[] = [];
const client = (await BundleClient.open({ ...opts, onError: (e) => errors.push(e.message) })).start();
process.stdout.write(JSON.stringify({ ready: client.status() }) + '\n');

for await (const line of createInterface({ input: process.stdin })) {
  const m = JSON.parse(line) as { cmd: string; facts?: unknown; asOf?: string; subject?: string };
  let answer: unknown;
  try {
    if (m.cmd === 'decide') answer = { decision: client.decide(m.facts, { asOf: m.asOf, subject: m.subject }) };
    else if (m.cmd === 'status') answer = { status: client.status(), errors };
    else if (m.cmd === 'flush') answer = { sent: await client.flush() };
    else answer = { error: `unknown command ${m.cmd}` };
  } catch (e) {
    answer = { error: (e as Error).message };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
await client.close();
