// The part of jq the READMEs use, for machines without jq: `jq -r <path>` (.a.b[0].c) and
// `jq -Rs '{source: .}'`. The docs test puts it on PATH only when jq itself is missing.
import { readFileSync } from 'node:fs';
const args = process.argv.slice(2);
const input = readFileSync(0, 'utf8');
if (args[0] === '-Rs' && args[1] === '{source: .}') {
  process.stdout.write(JSON.stringify({ source: input }) + '\n');
} else if (args[0] === '-r' && /^(\.[\w$]+|\[\d+\])+$/.test(args[1] ?? '')) {
  let v = JSON.parse(input);
  for (const [, key, index] of args[1].matchAll(/\.([\w$]+)|\[(\d+)\]/g)) v = v?.[key ?? Number(index)];
  process.stdout.write((v === undefined || v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v)) + '\n');
} else {
  process.stderr.write(`jq-fallback: not supported: ${args.join(' ')}\n`);
  process.exit(2);
}
