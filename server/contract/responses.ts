/**
 * Checks a response against what the OpenAPI document declares for its route, status and content
 * type: JSON bodies whole, NDJSON line by line and SSE event by event (each against the media
 * type's `contentSchema`). Tests run every response of the server suite through it
 * (test/server/helpers.ts), so a route cannot send what the contract does not say.
 */
import { OPENAPI } from '../openapi.ts';
import { contractValidator } from '../validate.ts';

interface Media {
  schema?: { contentSchema?: object } & Record<string, unknown>;
}
type Responses = Record<string, { content?: Record<string, Media> }>;

const ROUTES = Object.entries(OPENAPI.paths as unknown as Record<string, Record<string, { responses: Responses }>>)
  .map(([path, item]) => ({
    item,
    params: (path.match(/\{/g) ?? []).length,
    pattern: new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`),
  }))
  // A literal segment wins over a parameter: /decisions/replay before /decisions/{id}.
  .sort((a, b) => a.params - b.params);

/** The declared responses of `METHOD path`, or undefined when the document has no such route. */
function declared(method: string, path: string): Responses | undefined {
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  for (const r of ROUTES) if (r.pattern.test(path) && r.item[m]) return r.item[m].responses;
  return undefined;
}

function validate(schema: object, value: unknown, where: string): string[] {
  const v = contractValidator(schema, { allErrors: false });
  return v(value) ? [] : (v.errors ?? []).slice(0, 5).map((e) => `${where}${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

function parseEach(texts: string[], schema: object, what: string): string[] {
  const problems: string[] = [];
  texts.forEach((t, i) => {
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      problems.push(`${what} ${i + 1} is not JSON: ${t.slice(0, 80)}`);
      return;
    }
    problems.push(...validate(schema, value, `${what} ${i + 1}: `));
  });
  return problems;
}

/**
 * What is wrong with a response to `METHOD path` (empty: nothing). Routes the document does not
 * describe (the admin UI's files, unknown paths) are not checked.
 */
export function responseProblems(method: string, path: string, status: number, contentType: string | null, body: string): string[] {
  const responses = declared(method, path);
  if (!responses) return [];
  const r = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!r) return [`status ${status} is not declared (declared: ${Object.keys(responses).join(', ')})`];
  if (method === 'HEAD' || (body === '' && !r.content)) return [];
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const media = r.content?.[type];
  if (!media?.schema) return [`content type ${type || '(none)'} is not declared for ${status} (declared: ${Object.keys(r.content ?? {}).join(', ') || 'none'})`];
  const item = media.schema.contentSchema;
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return [`body is not JSON: ${body.slice(0, 80)}`];
    }
    return validate(media.schema, value, 'body');
  }
  if (item && type === 'application/x-ndjson') return parseEach(body.split('\n').filter((l) => l.trim() !== ''), item, 'line');
  if (item && type === 'text/event-stream') {
    const data = body
      .split(/\n\n/)
      .map((ev) => ev.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n'))
      .filter((d) => d !== '');
    return parseEach(data, item, 'event');
  }
  return [];
}
