/**
 * The malformed-request generator and answer check shared by the fuzz test (in process) and
 * `npm run soak` (bench/soak.ts, against a real server). Deterministic for a seed.
 */

export interface Operation {
  method: string;
  /** OpenAPI path template, `{id}` style. */
  path: string;
  params: { in: string; name: string }[];
  contentTypes: string[];
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content: Record<string, unknown> } }>>;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const out: Operation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      out.push({ method: method.toUpperCase(), path, params: op.parameters ?? [], contentTypes: Object.keys(op.requestBody?.content ?? {}) });
    }
  }
  return out;
}

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const deep = (n: number, open = '[', close = ']') => open.repeat(n) + close.repeat(n);

/** Values that are wrong for most fields in some way. */
function junkValue(r: () => number): unknown {
  return pick(r, [
    null,
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.1,
    true,
    '',
    ' ',
    'x'.repeat(70_000),
    '\u0000',
    '\ud800',
    'ａｄｍｉｎ\u200b',
    '2018-02-30',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "' OR 1=1 --",
    [],
    [1, 'a', null],
    {},
    JSON.parse('{"__proto__":{"admin":true}}') as unknown,
    JSON.parse('{"constructor":{"prototype":{"x":1}}}') as unknown,
    'draft:999999',
    'demo/loan',
  ]);
}

/** An object with the fields a body of this API might have, each junk or missing. */
function junkObject(r: () => number): Record<string, unknown> {
  const keys = ['policy', 'version', 'asOf', 'facts', 'source', 'format', 'from', 'role', 'name', 'comment', 'reason', 'a', 'b', 'baseline', 'candidate', 'ids', 'decisions'];
  const o: Record<string, unknown> = {};
  for (const k of keys) if (r() < 0.35) o[k] = junkValue(r);
  if (r() < 0.3) o.facts = { 贷款: [{ 金额: junkValue(r), 逾期天数: junkValue(r) }], 弄虚作假: junkValue(r) };
  if (r() < 0.2) o.from = { policy: junkValue(r), version: junkValue(r) };
  return o;
}

function junkBody(r: () => number): { body?: BodyInit; type?: string; what: string } {
  switch (Math.floor(r() * 10)) {
    case 0:
      return { body: JSON.stringify(junkValue(r)), type: 'application/json', what: 'json scalar' };
    case 1:
      return { body: JSON.stringify(junkObject(r)), type: 'application/json', what: 'json object' };
    case 2:
      return { body: `{"facts":${deep(5000 + Math.floor(r() * 50_000))}}`, type: 'application/json', what: 'deep json' };
    case 3:
      return { body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), type: 'application/json', what: 'invalid utf-8' };
    case 4:
      return { body: pick(r, ['{"policy":', '{,}', 'null', '[', '{"a":1}}', '\u0000', 'NaN']), type: 'application/json', what: 'invalid json' };
    case 5:
      return { body: JSON.stringify(junkObject(r)), type: pick(r, ['text/plain', 'application/xml', 'multipart/form-data', 'application/x-www-form-urlencoded', '']), what: 'wrong type' };
    case 6:
      return { body: `${JSON.stringify({ id: 'a', facts: junkObject(r) })}\n${deep(20_000)}\nnot json\n{"facts":"x"}\n`, type: 'application/x-ndjson', what: 'ndjson' };
    case 7:
      return { body: '--x\r\nContent-Disposition: form-data; name="data"; filename="a.csv"\r\n\r\na,b\r\n--x--\r\n', type: 'multipart/form-data; boundary=x', what: 'multipart' };
    case 8:
      return { body: 'x'.repeat(200_000 + Math.floor(r() * 100_000)), type: 'application/json', what: 'huge string' };
    default:
      return { what: 'no body' };
  }
}

function junkParam(r: () => number): string {
  return pick(r, ['-1', '0', '1', '99999999999999999999', 'abc', '1e3', '%00', '%E0%A4%A', '..%2F..%2Fetc', '%F0%9F%92%A9', 'x'.repeat(3000), '1;DROP TABLE x', 'NaN', ' ', '%20', 'demo', 'loan', '2015.1', '2018-02-30']);
}

/** encodeURIComponent, with a lone surrogate sent as the bytes it would have been (still invalid). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

export interface MalformedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: BodyInit;
  what: string;
}

/** One malformed request for `op`: bad path and query values, a junk body, some role or none. */
export function malformedRequest(op: Operation, r: () => number, tokens: Record<string, string>): MalformedRequest {
  const path = op.path.replace(/\{[^}]+\}/g, () => (r() < 0.7 ? junkParam(r) : enc(String(junkValue(r)).slice(0, 200))));
  const query = op.params
    .filter((p) => p.in === 'query' && r() < 0.6)
    .map((p) => `${encodeURIComponent(p.name)}=${r() < 0.8 ? junkParam(r) : enc(String(junkValue(r)).slice(0, 500))}`);
  if (r() < 0.1) query.push(`${junkParam(r)}=${junkParam(r)}`);
  const headers: Record<string, string> = {};
  const who = r();
  if (who < 0.8) headers.authorization = `Bearer ${pick(r, Object.values(tokens))}`;
  else if (who < 0.9) headers.authorization = pick(r, ['Bearer ', 'Bearer x', 'Basic YWxhZGRpbjpvcGVu', 'Bearer ' + 'x'.repeat(5000)]);
  if (op.params.some((p) => p.in === 'header' && p.name.toLowerCase() === 'if-match') && r() < 0.7) headers['if-match'] = pick(r, ['"x"', '*', '', 'W/"1"', '"' + 'a'.repeat(500) + '"']);
  const b = op.method === 'GET' || op.method === 'DELETE' ? (r() < 0.1 ? junkBody(r) : { what: 'no body' }) : junkBody(r);
  if (b.type !== undefined) headers['content-type'] = b.type;
  // GET with a body is not allowed by fetch; send such bodies with POST instead (an unrouted method: 405).
  const method = b.body !== undefined && (op.method === 'GET' || op.method === 'HEAD') ? 'POST' : op.method;
  return { method, path: path + (query.length ? `?${query.join('&')}` : ''), headers, ...(b.body !== undefined ? { body: b.body } : {}), what: b.what };
}

const INTERNALS = [/\/work\//, /node_modules/, /\.ts:\d/, /\.ts\b.*:\d+:\d+/, /^\s+at .+\(.+\)$/m, /RangeError|TypeError|ReferenceError|SyntaxError: /, /Maximum call stack/];

/** What is wrong with an answer, or undefined when it is as the API promises. */
export function checkAnswer(status: number, contentType: string | null, text: string): string | undefined {
  if (status >= 500) return `status ${status}: ${text.slice(0, 200)}`;
  for (const re of INTERNALS) if (re.test(text)) return `leaks ${re}: ${text.match(re)?.[0]?.slice(0, 120)}`;
  if (status >= 400) {
    if (!contentType?.includes('json')) return `error answer is ${contentType}`;
    let body: { error?: { code?: unknown; message?: { zh?: unknown; en?: unknown } } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return `error answer is not JSON: ${text.slice(0, 100)}`;
    }
    const e = body.error;
    if (typeof e?.code !== 'string' || typeof e.message?.zh !== 'string' || typeof e.message.en !== 'string') return `error body is not {error:{code,message:{zh,en}}}: ${text.slice(0, 200)}`;
  }
  return undefined;
}
