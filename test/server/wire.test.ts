/**
 * server/wire.ts is the one definition of the API's JSON, and the admin UI bundles what it
 * imports: it must stay types only, importing types from engine/ and dsl/ alone (never sqlite3,
 * hono or `node:` modules through server/). The check reads the files with the TypeScript parser,
 * so a multi-line import or an `import { type X }` (kept as a side-effect import under
 * verbatimModuleSyntax) is caught as well as a plain one.
 *
 * The type assertions at the end are checked by `tsc`: where the store or the job runner hands
 * the routes `unknown` (JSON read back from SQLite), or keeps its own copy of a shape, the two
 * definitions must stay the same.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as Jobs from '../../server/jobs.ts';
import type * as Store from '../../server/store/store.ts';
import type * as W from '../../server/wire.ts';
import type * as UI from '../../admin-ui/src/wire.ts';
import type { RecordOutcome } from '../../engine/parallel/index.ts';

const file = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));

/**
 * What in `text` would survive type erasure: statements other than interfaces, type aliases and
 * type-only imports/exports; dynamic imports and `require`; type imports from outside `allowed`.
 */
function runtimeParts(text: string, allowed: RegExp): string[] {
  const sf = ts.createSourceFile('wire.ts', text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const say = (n: ts.Node) => found.push(n.getText(sf).replace(/\s+/g, ' ').slice(0, 80));
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) continue;
    if (ts.isImportDeclaration(st)) {
      const spec = (st.moduleSpecifier as ts.StringLiteral).text;
      if (!st.importClause?.isTypeOnly || !allowed.test(spec)) say(st);
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && (st.moduleSpecifier as ts.StringLiteral).text;
      if (!st.isTypeOnly || (spec !== undefined && !allowed.test(spec))) say(st);
      continue;
    }
    say(st);
  }
  const walk = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) say(n);
    ts.forEachChild(n, walk);
  };
  walk(sf);
  return found;
}

const ENGINE_OR_DSL = /^\.\.\/(engine|dsl)\//;

describe('the runtime-import check itself', () => {
  const cases: { note: string; text: string; flagged: number }[] = [
    { note: 'type import from engine', text: "import type { Decision } from '../engine/evaluate/types.ts';", flagged: 0 },
    { note: 'type import over lines', text: "import type {\n  A,\n  B,\n} from '../dsl/ast.ts';", flagged: 0 },
    { note: 'interfaces, aliases, type re-exports', text: "import type { A } from '../dsl/a.ts';\nexport interface X { a: A }\nexport type Y = X[];\nexport type { A };", flagged: 0 },
    { note: 'value import', text: "import { hasErrors } from '../dsl/diagnostics.ts';", flagged: 1 },
    { note: 'inline type modifier keeps the import', text: "import { type Diagnostic } from '../dsl/diagnostics.ts';", flagged: 1 },
    { note: 'side-effect import', text: "import '../engine/index.ts';", flagged: 1 },
    { note: 'default import', text: "import sqlite3 from 'sqlite3';", flagged: 1 },
    { note: 'type import from server', text: "import type { Store } from './store/store.ts';", flagged: 1 },
    { note: 'type import from a package', text: "import type { Context } from 'hono';", flagged: 1 },
    { note: 'value re-export', text: "export { ROLES } from './store/store.ts';", flagged: 1 },
    { note: 'star re-export', text: "export * from '../engine/ir/types.ts';", flagged: 1 },
    { note: 'a constant', text: 'export const ROLES = ["admin"] as const;', flagged: 1 },
    { note: 'an enum', text: 'export enum Status { Ok }', flagged: 1 },
    { note: 'dynamic import in a type position is fine, a call is not', text: "export type M = typeof import('../engine/index.ts');\nconst m = import('node:fs');", flagged: 2 },
    { note: 'require', text: "const fs = require('node:fs');", flagged: 2 },
  ];
  it.each(cases)('$note', ({ text, flagged }) => {
    expect(runtimeParts(text, ENGINE_OR_DSL)).toHaveLength(flagged);
  });
});

describe('server/wire.ts is types only', () => {
  it('imports and re-exports only types, and only from engine/ and dsl/', () => {
    const text = readFileSync(file('server/wire.ts'), 'utf8');
    expect(text).toMatch(/^import type /m);
    expect(runtimeParts(text, ENGINE_OR_DSL)).toEqual([]);
  });

  it('every import line of it is an `import type`', () => {
    const lines = readFileSync(file('server/wire.ts'), 'utf8').split('\n').filter((l) => /^\s*import\b/.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/^import type /);
  });

  it('admin-ui/src/wire.ts takes its types from it and adds no runtime code', () => {
    const text = readFileSync(file('admin-ui/src/wire.ts'), 'utf8');
    expect(text).toContain("from '../../server/wire.ts'");
    expect(runtimeParts(text, /^\.\.\/\.\.\/server\/wire\.ts$/)).toEqual([]);
  });
});

describe('shapes kept in two places agree', () => {
  it('store, job runner and wire types are the same where the routes rely on it', () => {
    // Checked by tsc; vitest only runs them.
    expectTypeOf<W.Role>().toEqualTypeOf<Store.Role>();
    expectTypeOf<W.DraftStatus>().toEqualTypeOf<Store.DraftStatus>();
    expectTypeOf<W.JobStatus>().toEqualTypeOf<Store.JobStatus>();
    expectTypeOf<W.SourceFormat>().toEqualTypeOf<Store.SourceFormat>();
    expectTypeOf<W.DraftMarker>().toEqualTypeOf<Store.DraftMarker>();
    expectTypeOf<W.ChangeFilter>().toEqualTypeOf<Store.ChangeFilter>();
    expectTypeOf<W.ProgressEvent>().toEqualTypeOf<Jobs.ProgressEvent>();
    expectTypeOf<W.RecordOutcome>().toEqualTypeOf<RecordOutcome>();
    // The job runner's result is what GET /jobs/:id sends (the store gives it back as unknown).
    expectTypeOf<Jobs.SimulationResult>().toExtend<W.SimulationResult>();
    expectTypeOf<W.SimulationResult>().toExtend<Jobs.SimulationResult>();
    // What the server sends for the lists fits how the UI reads them.
    expectTypeOf<W.PolicyListResponse>().toExtend<UI.PolicyList>();
    expectTypeOf<W.DraftListResponse>().toExtend<UI.DraftList>();
    expectTypeOf<W.CompareItem>().toExtend<UI.CompareItem>();
    expect(true).toBe(true);
  });
});
