/**
 * Bundles the admin UI: `admin-ui/src/main.ts` (and the dsl/ and engine/ modules it imports, which
 * run in the browser) into `admin-ui/dist/main.js`, beside a copy of `index.html` and `styles.css`.
 *
 *   tsx admin-ui/build.ts             build now
 *   tsx admin-ui/build.ts --if-stale  build only when dist/ is missing or older than a source file
 *
 * `npm start` runs the second form (prestart); the end-to-end tests call `buildUi()`.
 */
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
export const UI_DIST = join(here, 'dist');

/** Folders whose files end up in the bundle: a change in any of them makes dist/ stale. */
const SOURCE_DIRS = [join(here, 'src'), join(root, 'dsl'), join(root, 'engine')];
const STATIC_FILES = ['index.html', 'styles.css', 'favicon.svg'];

async function newestMtime(path: string): Promise<number> {
  let s;
  try {
    s = await stat(path);
  } catch {
    return 0;
  }
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when dist/ is missing or some source (or build.ts itself) is newer than the bundle. */
export async function uiIsStale(): Promise<boolean> {
  const built = await newestMtime(join(UI_DIST, 'main.js'));
  if (built === 0) return true;
  const inputs = [...SOURCE_DIRS, ...STATIC_FILES.map((f) => join(here, f)), fileURLToPath(import.meta.url)];
  for (const p of inputs) if ((await newestMtime(p)) > built) return true;
  return false;
}

export interface BuildOptions {
  /** Minify for production; the tests keep names readable. Default true. */
  minify?: boolean;
}

/** Bundles the UI into `admin-ui/dist/`. Returns the output folder. */
export async function buildUi(opts: BuildOptions = {}): Promise<string> {
  await mkdir(UI_DIST, { recursive: true });
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(UI_DIST, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: opts.minify ?? true,
    sourcemap: true,
    legalComments: 'none',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
    // The engine's Node-only entry points must never reach the browser; fail loudly if they do.
    external: [],
  });
  for (const f of STATIC_FILES) await copyFile(join(here, f), join(UI_DIST, f));
  return UI_DIST;
}

/** Builds unless dist/ is fresh; returns whether it built. */
export async function buildUiIfStale(opts: BuildOptions = {}): Promise<boolean> {
  if (!(await uiIsStale())) return false;
  await buildUi(opts);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifStale = process.argv.includes('--if-stale');
  const started = Date.now();
  const built = ifStale ? await buildUiIfStale() : (await buildUi(), true);
  console.log(built ? `admin UI built in ${Date.now() - started} ms → ${UI_DIST}` : 'admin UI is up to date');
}
