/**
 * The served OpenAPI document as a caller meets it: redocly's recommended rules with no error and
 * no warning, every operation complete (id, summary, security, errors), every example valid
 * against its schema, and the extension point that adds another module's routes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS } from '../../../server/auth/permissions.ts';
import { buildOpenApi } from '../../../server/openapi.ts';
import { contractValidator } from '../../../server/validate.ts';
import { makeApp, type TestApp } from '../helpers.ts';

const ROOT = join(import.meta.dirname, '../../..');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

interface Media {
  schema?: { $ref?: string; type?: string; contentSchema?: object };
  example?: unknown;
}
interface Operation {
  operationId?: string;
  summary?: string;
  security?: object[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { content?: Record<string, Media> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, object> } };

function operations(doc: Doc): { key: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ key: `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`, op })),
  );
}

describe('the served OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;
  let dir: string;
  beforeAll(async () => {
    t = await makeApp();
    dir = mkdtempSync(join(tmpdir(), 'tiaowen-openapi-'));
    doc = (await (await t.req('GET', '/api/v1/openapi.json')).json()) as Doc;
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes redocly lint (recommended, redocly.yaml) with 0 errors and 0 warnings', async () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    const run = await promisify(execFile)(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--format=json', `--config=${join(ROOT, 'redocly.yaml')}`], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((e: { stdout: string }) => e);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('gives every operation an id, a summary, its security and its errors', () => {
    const ops = operations(doc);
    expect(ops.map((o) => o.key).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    const ids = ops.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key, op } of ops) {
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      expect(op.summary, key).toBeTruthy();
      const isPublic = PERMISSIONS[key as keyof typeof PERMISSIONS] === 'public';
      expect(op.security, key).toEqual(isPublic ? [] : [{ bearer: [] }]);
      if (!isPublic) {
        expect(Object.keys(op.responses), key).toEqual(expect.arrayContaining(['400', '401', '403', '429']));
        for (const [status, r] of Object.entries(op.responses)) {
          if (status >= '400') expect(r.content?.['application/json']?.schema, `${key} ${status}`).toEqual({ $ref: '#/components/schemas/Error' });
        }
      }
      for (const [status, r] of Object.entries(op.responses)) {
        for (const [type, m] of Object.entries(r.content ?? {})) expect(m.schema, `${key} ${status} ${type}`).toBeTruthy();
      }
    }
    expect(doc).toMatchObject({ components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } });
  });

  it('has real schemas for decisions and facts, not bare objects', () => {
    const s = doc.components.schemas as Record<string, { required?: string[]; properties?: object; additionalProperties?: unknown }>;
    expect(s.Decision.required).toEqual(expect.arrayContaining(['policy', 'asOf', 'status', 'outcomes', 'undetermined', 'notFired']));
    expect(s.Facts.additionalProperties).toEqual({});
    expect(s.PolicyIR.required).toContain('rules');
    expect(contractValidator('Decision')({})).toBe(false);
  });

  it('has examples, each valid against its schema', () => {
    let seen = 0;
    for (const { key, op } of operations(doc)) {
      const media = [...Object.entries(op.requestBody?.content ?? {}), ...Object.values(op.responses).flatMap((r) => Object.entries(r.content ?? {}))];
      for (const [type, m] of media) {
        if (m.example === undefined || !m.schema) continue;
        seen++;
        const lines = m.schema.contentSchema ? String(m.example).trimEnd().split('\n').map((l) => JSON.parse(l) as unknown) : [m.example];
        const v = contractValidator(m.schema.contentSchema ?? m.schema);
        for (const value of lines) expect(v(value) ? [] : v.errors, `${key} ${type} example`).toEqual([]);
      }
    }
    expect(seen).toBeGreaterThanOrEqual(15);
  });
});

describe('extending the document', () => {
  it('spreads another module’s paths and schemas in, named schemas as $refs', () => {
    const Bundle = Type.Object({ id: Type.String(), size: Type.Integer() });
    const extended = buildOpenApi([
      {
        paths: { '/api/v1/bundles/{id}': { get: { operationId: 'getBundle', summary: 'One bundle', responses: { '200': { description: 'The bundle', content: { 'application/json': { schema: { $ref: '#/components/schemas/Bundle' } } } } } } } },
        schemas: { Bundle },
      },
    ]);
    expect(extended.paths['/api/v1/bundles/{id}']).toBeDefined();
    expect(extended.paths['/api/v1/evaluate']).toBeDefined();
    expect(extended.components.schemas.Bundle).toEqual({ type: 'object', required: ['id', 'size'], properties: { id: { type: 'string' }, size: { type: 'integer' } } });
  });
});
