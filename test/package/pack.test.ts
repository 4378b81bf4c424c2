/**
 * The package as another program sees it: `npm pack` (which builds through `prepack`), the tarball
 * installed into a fresh project, tsx removed from it, a strict TypeScript program type-checked
 * against the package's .d.ts, then run with plain node; the installed `tiaowen` bin runs too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const work = mkdtempSync(join(tmpdir(), 'tiaowen-pack-'));
const project = join(work, 'consumer');
// A checkout that had no build keeps none: bin/tiaowen.js would otherwise run this build from now on.
const hadDist = existsSync(join(ROOT, 'dist'));
let tarball = '';
let files: string[] = [];

const PROGRAM = `import { compileSource, evaluateSync, PolicyLibrary, explainDecision, diffPolicies, type Decision } from 'tiaowen';
import { parsePolicySource, type PolicyAst } from 'tiaowen/dsl';

const source = (amount: number) => \`policy "demo/loan"
  title "示例:不良贷款"
  jurisdiction demo
  version "1"
  effective from 2020-01-01
  source 指南 "示例指南"

facts
  逾期天数 "逾期天数": integer

rule non_performing "逾期\${amount}天(含)以上为不良贷款"
  cites 指南 "三(六)"
  when 逾期天数 >= \${amount}
  then violation severity high
    message "不良贷款" en "Non-performing loan"
\`;
const ast: PolicyAst | undefined = parsePolicySource(source(90), { file: 'demo.policy' }).value;
const ir = compileSource(source(90), { file: 'demo.policy' });
if (!ast || !ir.value) throw new Error(JSON.stringify(ir.diagnostics));
const library = new PolicyLibrary();
library.add(ir.value);
const resolved = library.resolve('demo/loan', { asOf: '2024-01-01' });
if (!resolved.value) throw new Error(JSON.stringify(resolved.diagnostics));
const decide = (days: number): Decision => evaluateSync(resolved.value!, { 逾期天数: days }, { asOf: '2024-01-01' });
const other = compileSource(source(60)).value!;
console.log(JSON.stringify({
  late: decide(120).outcomes.map((o) => o.kind + ':' + o.ruleId + ':' + o.citation.article),
  onTime: decide(10).outcomes.length,
  explained: explainDecision(decide(120), 'en').includes('non_performing'),
  changedRules: diffPolicies(ir.value, other).rules.changed.length,
}));
`;

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
}

beforeAll(() => {
  // --json lists the packed files; prepack runs `npm run build` (tsc + the admin UI).
  const out = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
  const info = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }));
  // --ignore-scripts: the engine and the DSL must not need sqlite3's native build.
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], project);
  // Whatever runs below runs without a TypeScript loader.
  rmSync(join(project, 'node_modules/tsx'), { recursive: true, force: true });
}, 240_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  if (!hadDist) rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds compiled JavaScript and declarations, the schema, the seed policies and the built UI — no TypeScript sources', () => {
    expect(files).toContain('dist/engine/index.js');
    expect(files).toContain('dist/engine/index.d.ts');
    expect(files).toContain('dist/engine/ir/schema.json');
    expect(files).toContain('dist/server/client/index.js');
    expect(files).toContain('admin-ui/dist/index.html');
    expect(files.some((f) => f.startsWith('policies/central/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(existsSync(join(project, 'node_modules/tsx'))).toBe(false);
  });

  it('type-checks a strict program against its .d.ts, which then runs on plain node', () => {
    writeFileSync(join(project, 'main.ts'), PROGRAM);
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false },
        files: ['main.ts'],
      }),
    );
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    const result = JSON.parse(run(process.execPath, ['out/main.js'], project)) as Record<string, unknown>;
    expect(result).toEqual({ late: ['violation:non_performing:三(六)'], onTime: 0, explained: true, changedRules: 1 });

    // A wrong call is a type error: the declarations are really checked.
    writeFileSync(join(project, 'bad.ts'), `import { compileSource } from 'tiaowen';\nconst n: number = compileSource('x');\nexport { n };\n`);
    writeFileSync(join(project, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', files: ['bad.ts'], compilerOptions: { noEmit: true } }));
    const bad = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.bad.json'], { cwd: project, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/TS2322/);
  });

  it('runs the installed tiaowen bin with plain node', () => {
    const bin = join(project, 'node_modules/.bin/tiaowen');
    const r = spawnSync(process.execPath, [bin, '--help'], { cwd: project, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+serve\s/m);
    expect(r.stdout).toMatch(/^\s+check\s/m);
    // And a command that does work: check one policy of the seed library the package ships.
    const policy = join(project, 'node_modules/tiaowen/policies/central/responsibility/responsibility.policy');
    const check = spawnSync(process.execPath, [bin, 'check', policy], { cwd: project, encoding: 'utf8' });
    expect(check.stdout).toMatch(/0 error\(s\)/);
    expect(check.stderr).not.toMatch(/internal error/);
    expect(check.status).toBe(0);
  });

  it('bundles `tiaowen` and `tiaowen/dsl` for the browser from the installed package, with no Node built-in', async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      stdin: { contents: `export * from 'tiaowen'; export * from 'tiaowen/dsl';`, resolveDir: project, loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.some((p) => p.includes('node_modules/tiaowen/dist/engine/index.js'))).toBe(true);
    expect(inputs.some((p) => p.includes('dist/engine/node.js'))).toBe(false);
    expect(inputs.filter((p) => p.startsWith('node:'))).toEqual([]);
  });
});
