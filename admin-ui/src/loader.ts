/**
 * Loading, error and result of one asynchronous fetch, as a Lit controller: pages call
 * `loader.run(() => api.x())` and render `loader.render(ok)`, which shows the loading, empty and
 * error states (with the server's words and a retry button) the same way on every page.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiFailure } from './api.ts';
import { t } from './i18n/index.ts';
import './components/tw-state.ts';

export type Loadable<T> =
  | { state: 'idle' }
  | { state: 'loading'; previous?: T }
  | { state: 'ok'; value: T }
  | { state: 'error'; error: unknown };

/** Words for any error: the API's own, or a generic one for bugs. */
export function errorWords(e: unknown): string {
  if (e instanceof ApiFailure) return e.words();
  return `${t('error.unknown', { status: '—' })} ${e instanceof Error ? e.message : String(e)}`;
}

export class Loader<T> implements ReactiveController {
  value: Loadable<T> = { state: 'idle' };
  private last?: () => Promise<T>;
  private seq = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  async run(fn: () => Promise<T>): Promise<T | undefined> {
    this.last = fn;
    const mine = ++this.seq;
    const previous = this.value.state === 'ok' ? this.value.value : undefined;
    this.value = { state: 'loading', previous };
    this.host.requestUpdate();
    try {
      const v = await fn();
      if (mine === this.seq) this.value = { state: 'ok', value: v };
      return v;
    } catch (e) {
      if (mine === this.seq) this.value = { state: 'error', error: e };
      return undefined;
    } finally {
      if (mine === this.seq) this.host.requestUpdate();
    }
  }

  retry = (): void => {
    if (this.last) void this.run(this.last);
  };

  get data(): T | undefined {
    return this.value.state === 'ok' ? this.value.value : this.value.state === 'loading' ? this.value.previous : undefined;
  }

  render(
    ok: (v: T) => TemplateResult | typeof nothing,
    opts: { isEmpty?: (v: T) => boolean; emptyText?: string } = {},
  ): TemplateResult | typeof nothing {
    const v = this.value;
    switch (v.state) {
      case 'idle':
        return nothing;
      case 'loading':
        // Keep the previous result on screen while reloading: no layout jump.
        return v.previous !== undefined ? ok(v.previous) : html`<tw-state kind="loading"></tw-state>`;
      case 'error':
        return html`<tw-state kind="error" .message=${errorWords(v.error)} .details=${v.error instanceof ApiFailure ? v.error.details : []} @retry=${this.retry}></tw-state>`;
      case 'ok':
        if (opts.isEmpty?.(v.value)) return html`<tw-state kind="empty" .message=${opts.emptyText ?? t('state.empty')}></tw-state>`;
        return ok(v.value);
    }
  }
}
