/**
 * The commands docs/examples/README.md shows run as written from the repository root, and every
 * file they name exists.
 */
import { describe, it, expect } from 'vitest';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { main } from '../../server/cli/main.ts';

const readme = await readFile('docs/examples/README.md', 'utf8');
const lines = [...readme.matchAll(/npm run tiaowen -- ([^`\n]+)/g)].map((m) => m[1]!.trim());

describe('docs/examples/README.md commands', () => {
  it('shows commands', () => expect(lines.length).toBeGreaterThanOrEqual(2));

  it.each(lines)('%s', async (line) => {
    const argv = line.split(/\s+/);
    for (const [i, a] of argv.entries()) {
      if (argv[i - 1] === '--facts' || /\.(policy|json)$/.test(a)) expect(existsSync(a), `${a} exists`).toBe(true);
    }
    let out = '';
    let err = '';
    const code = await main(argv, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).not.toBe('');
  });
});
