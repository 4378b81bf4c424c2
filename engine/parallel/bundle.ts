/**
 * The worker entry as one plain-JS file, built with esbuild the first time a pool starts and kept
 * in `node_modules/.cache/tiaowen/` under a name that hashes the sources it was built from, so an
 * edited engine gets a fresh bundle. Packages are bundled too (some import JSON, which plain
 * Node 20 ESM refuses without an import attribute). Node-only.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
let cached: URL | null | undefined;

/** Fingerprint of the engine sources (paths, sizes, mtimes): cheap, and changes with any edit. */
function fingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (name.endsWith('.ts') || name.endsWith('.json')) h.update(`${relative(root, p)}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  walk(join(root, 'engine'));
  return h.digest('hex').slice(0, 16);
}

/** URL of the bundled worker, or `null` when it cannot be built here (the caller falls back to tsx). */
export function bundledWorker(): URL | null {
  if (cached !== undefined) return cached;
  try {
    const dir = join(root, 'node_modules', '.cache', 'tiaowen');
    const file = join(dir, `worker-${fingerprint()}.mjs`);
    if (!existsSync(file)) {
      // esbuild is a build tool: loaded only when a bundle must be made.
      const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
      const out = esbuild.buildSync({
        entryPoints: [join(here, 'worker.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // CommonJS packages inside an ESM bundle call require(): give them one.
        banner: { js: "import { createRequire as __twRequire } from 'node:module'; const require = __twRequire(import.meta.url);" },
        write: false,
        logLevel: 'silent',
      });
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed: a pool starting at the same moment never reads half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, out.outputFiles[0]!.contents);
      renameSync(tmp, file);
    }
    cached = pathToFileURL(file);
  } catch {
    cached = null;
  }
  return cached;
}

/** The bundle's text (for tests that check it is plain JavaScript). */
export function bundledWorkerSource(): string | undefined {
  const url = bundledWorker();
  return url ? readFileSync(url, 'utf8') : undefined;
}
