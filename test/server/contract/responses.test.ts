/**
 * The response check every server test runs through (test/server/helpers.ts): it must catch a
 * body off its schema, an undeclared status or content type, and a bad NDJSON line or SSE event.
 */
import { describe, expect, it } from 'vitest';
import { responseProblems } from '../../../server/contract/responses.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

describe('responseProblems', () => {
  it('accepts what the document declares', () => {
    expect(responseProblems('GET', '/api/v1/me', 200, JSON_TYPE, JSON.stringify({ name: '张三', role: 'author' }))).toEqual([]);
    expect(responseProblems('GET', '/api/v1/drafts/7', 404, JSON_TYPE, JSON.stringify({ error: { code: 'draft.not-found', message: { zh: '无', en: 'none' } } }))).toEqual([]);
    expect(responseProblems('GET', '/api/v1/jobs/j1/events', 200, 'text/event-stream', 'event: end\ndata: {"type":"end","done":1,"total":1,"rate":0,"status":"done"}\n\n')).toEqual([]);
    expect(responseProblems('GET', '/index.html', 200, 'text/html', '<html>')).toEqual([]);
  });

  it('reports a body off its schema, an undeclared status or type, a bad line or event', () => {
    expect(responseProblems('GET', '/api/v1/me', 200, JSON_TYPE, JSON.stringify({ name: '张三', role: 'boss' }))).toHaveLength(1);
    expect(responseProblems('GET', '/api/v1/me', 200, JSON_TYPE, 'not json')[0]).toMatch(/not JSON/);
    expect(responseProblems('GET', '/api/v1/me', 418, JSON_TYPE, '{}')[0]).toMatch(/status 418 is not declared/);
    expect(responseProblems('GET', '/api/v1/me', 200, 'text/plain', 'x')[0]).toMatch(/content type text\/plain/);
    const good = JSON.stringify({ line: 1, status: 404, error: { code: 'policy.not-found', message: { zh: '无', en: 'none' } } });
    const bad = JSON.stringify({ line: 2, decision: {} });
    expect(responseProblems('POST', '/api/v1/evaluate/batch', 200, 'application/x-ndjson', `${good}\n${bad}\n`).join('\n')).toMatch(/^line 2: /);
    expect(responseProblems('GET', '/api/v1/jobs/j1/events', 200, 'text/event-stream', 'event: progress\ndata: {"type":"progress"}\n\n')[0]).toMatch(/^event 1: /);
    // A literal segment is matched before a parameter: /decisions/replay is not /decisions/{id}.
    expect(responseProblems('POST', '/api/v1/decisions/replay', 202, JSON_TYPE, '{}')[0]).toMatch(/required property/);
  });
});
