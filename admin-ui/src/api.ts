/**
 * The one way the UI talks to the server (`/api/v1`). Every failure becomes an `ApiFailure` that
 * says, in the current language, what went wrong and what to do; pages show `failure.words()`.
 * The server's error shape is `{ error: { code, message: { zh, en }, details? } }`.
 */
import { pick, t } from './i18n/index.ts';
import type * as W from './wire.ts';

/** What each review action on `/drafts/:id/<action>` answers. */
export interface DraftActionResponse {
  submit: W.DraftDetail;
  approve: W.DraftDetail;
  reject: W.DraftDetail;
  publish: W.PublishResponse;
  validate: W.ValidateResponse;
}

export class ApiFailure extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    readonly serverMessage?: W.Text,
    readonly details: W.ErrorDetail[] = [],
    /** The server's `ETag` on a conflict, when it sent one. */
    readonly etag?: string,
  ) {
    super(`${status} ${code}`);
  }

  /** What to do about it, by kind of failure. */
  advice(): string {
    if (this.status === 0) return t('error.network');
    if (this.status === 401) return t('error.unauthorized');
    if (this.status === 403) return t('error.forbidden');
    if (this.status === 404) return t('error.notFound');
    if (this.status === 409 || this.status === 412) return t('error.conflict');
    if (this.status === 400 || this.status === 422) return t('error.invalid');
    if (this.status >= 500) return t('error.server');
    return t('error.unknown', { status: this.status });
  }

  /** The server's own words (when it sent some) followed by the advice. */
  words(): string {
    const said = this.serverMessage ? pick(this.serverMessage) : '';
    const advice = this.advice();
    return said && said !== advice ? `${said}。${advice}`.replace(/[。.]。/, '。') : advice;
  }
}

export type TokenSource = () => string | undefined;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Sent as-is (multipart uploads). */
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface Response2<T> {
  data: T;
  etag?: string;
  status: number;
}

export class ApiClient {
  /** Called when the server says the token is no longer good (401), so the shell can log out. */
  onUnauthorized?: () => void;

  constructor(
    private readonly token: TokenSource,
    readonly base = '/api/v1',
  ) {}

  async request<T>(path: string, opts: RequestOptions = {}): Promise<Response2<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(this.base + path, { method: opts.method ?? (body ? 'POST' : 'GET'), headers, body, signal: opts.signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiFailure(0, 'network');
    }
    const etag = res.headers.get('etag') ?? undefined;
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) {
      // Any body may come back on a failure (a proxy's HTML page, say): each field is optional here.
      const err = (parsed as { error?: Partial<W.ErrorBody['error']> } | null | undefined)?.error;
      const failure = new ApiFailure(res.status, err?.code ?? `http.${res.status}`, err?.message, err?.details ?? [], etag);
      if (res.status === 401) this.onUnauthorized?.();
      throw failure;
    }
    return { data: parsed as T, etag, status: res.status };
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>(path, { signal })).data;
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await this.request<T>(path, { method: 'POST', body: body ?? {} })).data;
  }

  // ---- endpoints ---------------------------------------------------------------------------

  me(): Promise<W.Me> {
    return this.get<W.Me>('/me');
  }

  /** How to sign in (public): the OpenID Connect provider, when one is configured. */
  authConfig(): Promise<W.AuthConfig> {
    return this.get<W.AuthConfig>('/auth/config');
  }

  /** Every policy; with `inForceOn`, each says which of its versions is in force that day. */
  async policies(inForceOn?: string): Promise<W.PolicySummary[]> {
    return (await this.get<W.PolicyListResponse>(`/policies${inForceOn ? `?inForceOn=${encodeURIComponent(inForceOn)}` : ''}`)).items;
  }

  /** The server's library folder against what it published: with `dryRun`, only what would be proposed (admin). */
  async syncLibrary(dryRun: boolean): Promise<W.LibrarySyncResponse['items']> {
    return (await this.post<W.LibrarySyncResponse>('/library/sync', { dryRun })).items;
  }

  policy(id: string): Promise<W.PolicyDetail> {
    return this.get<W.PolicyDetail>(`/policies/${policyPath(id)}`);
  }

  version(id: string, version: string): Promise<W.VersionDetail> {
    return this.get<W.VersionDetail>(`/policies/${policyPath(id)}/versions/${encodeURIComponent(version)}`);
  }

  /** The fact schema of a draft (its base's facts included), for the Try it form. */
  draftSchema(id: number): Promise<W.JsonSchema> {
    return this.get<W.JsonSchema>(`/drafts/${id}/schema`);
  }

  schema(id: string, version: string): Promise<W.JsonSchema> {
    return this.get<W.JsonSchema>(`/policies/${policyPath(id)}/versions/${encodeURIComponent(version)}/schema`);
  }

  evaluate(req: W.EvaluateRequest): Promise<W.EvaluateResponse> {
    return this.post<W.EvaluateResponse>('/evaluate', req);
  }

  compare(req: W.CompareRequest): Promise<W.CompareResponse> {
    return this.post<W.CompareResponse>('/evaluate/compare', req);
  }

  /** The solver's findings on an unsaved text (POST /analyze); `signal` drops a stale request. */
  async analyze(req: W.AnalyzeRequest, signal?: AbortSignal): Promise<W.AnalyzeResponse> {
    return (await this.request<W.AnalyzeResponse>('/analyze', { method: 'POST', body: req, signal })).data;
  }

  diff(from: string, to: string, impact = false): Promise<W.DiffResponse> {
    return this.get<W.DiffResponse>(`/diff?a=${encodeURIComponent(from)}&b=${encodeURIComponent(to)}${impact ? '&impact=true' : ''}`);
  }

  async drafts(q: { status?: string } = {}): Promise<W.Draft[]> {
    return (await this.get<W.DraftListResponse>(`/drafts${q.status ? `?status=${encodeURIComponent(q.status)}` : ''}`)).items;
  }

  async draft(id: number): Promise<Response2<W.DraftDetail>> {
    return this.request<W.DraftDetail>(`/drafts/${id}`);
  }

  createDraft(body: W.CreateDraft): Promise<Response2<W.DraftDetail>> {
    return this.request<W.DraftDetail>('/drafts', { method: 'POST', body });
  }

  /** Saves with `If-Match`: a 412 means someone else saved first (never overwritten silently). */
  saveDraft(id: number, etag: string, body: W.UpdateDraft): Promise<Response2<W.DraftDetail>> {
    return this.request<W.DraftDetail>(`/drafts/${id}`, { method: 'PUT', body, headers: { 'if-match': etag } });
  }

  draftAction<A extends keyof DraftActionResponse>(id: number, action: A, comment?: string): Promise<DraftActionResponse[A]> {
    return this.post<DraftActionResponse[A]>(`/drafts/${id}/${action}`, comment ? { comment } : {});
  }

  async audit(q: { page?: number; pageSize?: number; target?: string } = {}): Promise<W.AuditPage> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
    return this.get<W.AuditPage>(`/audit?${p}`);
  }

  /** A page of the decision log under the filters (`cursor`: the page before's nextCursor). */
  // Persons (admin): identities, their grants, and the second admin's approval.
  async persons(): Promise<W.Person[]> {
    return (await this.get<W.ItemList<W.Person>>('/persons')).items;
  }
  async createPerson(body: { name: string; grants: { role: W.Role; jurisdictions: '*' | string[] }[] }): Promise<W.Person> {
    return this.post<W.Person>('/persons', body);
  }
  async approvePerson(id: number): Promise<W.Person> {
    return this.post<W.Person>(`/persons/${id}/approve`);
  }
  /** Disable stops the person's tokens at once; enable puts reviewer/admin grants back to pending. */
  async setPersonEnabled(id: number, enabled: boolean): Promise<W.Person> {
    return this.post<W.Person>(`/persons/${id}/${enabled ? 'enable' : 'disable'}`);
  }

  async decisions(q: Record<string, string | number | undefined> = {}): Promise<W.DecisionList> {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') p.set(k, String(v));
    return this.get<W.DecisionList>(`/decisions?${p}`);
  }

  simulate(form: FormData): Promise<Response2<W.Job>> {
    return this.request<W.Job>('/simulate', { method: 'POST', form });
  }

  job(id: string): Promise<W.Job> {
    return this.get<W.Job>(`/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<W.CancelResponse> {
    return this.request<W.CancelResponse>(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }).then((r) => r.data);
  }

  jobChanges(id: string, page: number, pageSize: number, filter: W.ChangeFilter = {}): Promise<W.ChangesPage> {
    const p = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
    if (filter.rule) p.set('rule', filter.rule);
    if (filter.kind) p.set('kind', filter.kind);
    return this.get<W.ChangesPage>(`/jobs/${encodeURIComponent(id)}/changes?${p}`);
  }

  /**
   * Server-sent events over fetch (EventSource cannot send the bearer token). Calls `onEvent`
   * for each event until the stream ends or `signal` aborts.
   */
  async events(path: string, onEvent: (type: string, data: unknown) => void, signal?: AbortSignal): Promise<void> {
    const token = this.token();
    let res: Response;
    try {
      res = await fetch(this.base + path, { headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      throw new ApiFailure(0, 'network');
    }
    if (!res.ok || !res.body) throw new ApiFailure(res.status, `http.${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await reader.read();
      } catch (e) {
        if ((e as Error).name === 'AbortError') return;
        throw new ApiFailure(0, 'network');
      }
      if (chunk.done) return;
      buf += chunk.value.replace(/\r\n/g, '\n');
      for (const block of parseSse(buf)) onEvent(block.type, block.data);
      const cut = buf.lastIndexOf('\n\n');
      if (cut >= 0) buf = buf.slice(cut + 2);
    }
  }

  /** The download URL needs the token, so it is fetched and handed over as a Blob. */
  async download(path: string): Promise<Blob> {
    const token = this.token();
    let res: Response;
    try {
      res = await fetch(this.base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    } catch {
      throw new ApiFailure(0, 'network');
    }
    if (!res.ok) throw new ApiFailure(res.status, `http.${res.status}`);
    return res.blob();
  }
}

/** `gansu/poverty-loan` → `gansu/poverty-loan` with each segment escaped. */
export function policyPath(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

/** Complete events (`event:` / `data:` blocks ended by a blank line) in an SSE buffer. */
export function parseSse(buf: string): { type: string; data: unknown }[] {
  const out: { type: string; data: unknown }[] = [];
  const end = buf.lastIndexOf('\n\n');
  if (end < 0) return out;
  for (const block of buf.slice(0, end).split('\n\n')) {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (!data.length) continue;
    const text = data.join('\n');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // plain text data stays a string
    }
    out.push({ type, data: parsed });
  }
  return out;
}
