/**
 * A tiny hash router: `#/<page>/<segments…>?<query>`. Pure parsing and building, so it is tested
 * without a browser; `tw-app` listens to `hashchange` and renders the page the route names.
 */
export type PageName = 'library' | 'policy' | 'editor' | 'try' | 'diff' | 'simulate' | 'review' | 'decisions' | 'persons';

export const PAGES: readonly PageName[] = ['library', 'policy', 'editor', 'try', 'diff', 'simulate', 'review', 'decisions', 'persons'];

export interface Route {
  page: PageName | 'not-found';
  /** Path segments after the page name, decoded. */
  segments: string[];
  query: Record<string, string>;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(raw.slice(q + 1))) query[k] = v;
  const parts = path.split('/').filter(Boolean).map(safeDecode);
  const name = parts.shift() ?? 'library';
  const page = (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'not-found';
  return { page, segments: parts, query };
}

export function href(page: PageName, segments: readonly string[] = [], query: Record<string, string | undefined> = {}): string {
  const path = [page, ...segments.map((s) => s.split('/').map(encodeURIComponent).join('/'))].join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v);
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

/** `#/policy/<jurisdiction>/<topic>[/<version>]`: the policy id always has one slash. */
export function policyHref(id: string, version?: string): string {
  return href('policy', version ? [id, version] : [id]);
}

export function policyFromSegments(segments: readonly string[]): { id?: string; version?: string } {
  if (segments.length < 2) return {};
  return { id: `${segments[0]}/${segments[1]}`, version: segments[2] };
}

export function navigate(to: string): void {
  if (globalThis.location && location.hash !== to) location.hash = to;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
