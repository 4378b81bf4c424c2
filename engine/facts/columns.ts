/**
 * Dataset columns to facts: a header matches a fact by name, Chinese label or English label;
 * headers that match none get suggestions by similarity (a 台账's own wording, such as
 * `逾期天数(天)` for `逾期天数`). Shared by the server's upload and the admin UI's mapping form.
 */
import type { FactDecl } from '../ir/types.ts';

export function matchColumn(header: string, facts: readonly FactDecl[]): FactDecl | undefined {
  const t = header.trim();
  return facts.find((f) => f.name === t) ?? facts.find((f) => f.label === t) ?? facts.find((f) => f.labelEn === t);
}

/** Punctuation, spaces and units in brackets say nothing about which fact a column holds. */
function normalize(s: string): string {
  return s
    .toLowerCase()
    .replace(/[(（][^)）]*[)）]/g, '')
    .replace(/[\s_\-·:：,，.。/\\]+/g, '');
}

function bigrams(s: string): string[] {
  if (s.length < 2) return [s];
  return Array.from({ length: s.length - 1 }, (_, i) => s.slice(i, i + 2));
}

/** Similarity in [0, 1]: Dice over character bigrams, raised when one contains the other. */
export function similarity(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  const bx = bigrams(x);
  const by = bigrams(y);
  const pool = [...by];
  let common = 0;
  for (const g of bx) {
    const i = pool.indexOf(g);
    if (i >= 0) (common++, pool.splice(i, 1));
  }
  const dice = (2 * common) / (bx.length + by.length);
  const contains = x.includes(y) || y.includes(x) ? 0.8 * (Math.min(x.length, y.length) / Math.max(x.length, y.length)) + 0.2 : 0;
  return Math.max(dice, contains);
}

export interface ColumnSuggestion {
  fact: string;
  score: number;
}

/** The facts most like a header, best first, those scoring at least `min`. */
export function suggestFacts(header: string, facts: readonly FactDecl[], limit = 3, min = 0.3): ColumnSuggestion[] {
  return facts
    .map((f) => ({ fact: f.name, score: Math.max(similarity(header, f.name), similarity(header, f.label), f.labelEn ? similarity(header, f.labelEn) : 0) }))
    .filter((s) => s.score >= min)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
}
