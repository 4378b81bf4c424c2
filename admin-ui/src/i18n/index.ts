/**
 * The UI language: Chinese by default, English by a switch remembered in localStorage.
 * Components render text through `t()` and re-render on a change through `LangController`.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { zh, type MessageKey } from './zh.ts';
import { en } from './en.ts';

export type Lang = 'zh' | 'en';
export type { MessageKey };

const STORAGE_KEY = 'tiaowen.lang';
const CATALOGUES: Record<Lang, Record<MessageKey, string>> = { zh, en };
const listeners = new Set<() => void>();

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage can be blocked by privacy settings; then the choice is not remembered
  }
}

let current: Lang = storage()?.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  storage()?.setItem(STORAGE_KEY, next);
  if (globalThis.document) document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  for (const l of listeners) l();
}

/** Fills `{name}` placeholders. Unknown keys fall back to the key itself, visible in review. */
export function format(template: string, params?: Record<string, string | number>): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return format(CATALOGUES[current][key] ?? key, params);
}

/** Picks the current language out of a `{zh, en}` text (English falls back to Chinese). */
export function pick(text: { zh: string; en?: string } | undefined): string {
  if (!text) return '';
  return current === 'en' ? text.en || text.zh : text.zh;
}

export function onLangChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Re-renders its host when the language changes. */
export class LangController implements ReactiveController {
  private off?: () => void;
  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }
  hostConnected(): void {
    this.off = onLangChange(() => this.host.requestUpdate());
  }
  hostDisconnected(): void {
    this.off?.();
  }
}
