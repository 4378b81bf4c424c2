/**
 * The engine and DSL entries (`tiaowen`, `tiaowen/dsl`) bundle for the browser with no Node
 * built-in: the admin UI and any web page can evaluate in the page. (The pack test checks the
 * same on the installed package; this one runs on the sources, in seconds.)
 */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('the browser bundle of the engine', () => {
  it.each(['engine/index.ts', 'dsl/index.ts'])('%s needs no Node built-in', async (entry) => {
    const out = await build({ entryPoints: [resolve(ROOT, entry)], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.length).toBeGreaterThan(10);
    expect(inputs.filter((p) => p.startsWith('node:') || /(^|\/)node_modules\/(sqlite3|pg|@duckdb)\//.test(p))).toEqual([]);
    expect(out.outputFiles[0]!.text).not.toMatch(/from ["']node:/);
  });

  it('a Node built-in in the graph fails the bundle (the check can fail)', async () => {
    await expect(build({ entryPoints: [resolve(ROOT, 'engine/node.ts')], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })).rejects.toThrow(/node:|fs/);
  });
});
