/** Side-by-side rows from a unified line diff, with long unchanged runs folded. Pure. */
import type { TextDiffLine } from '../../engine/diff/index.ts';

export interface SideBySideRow {
  left?: { n: number; text: string; op: ' ' | '-' };
  right?: { n: number; text: string; op: ' ' | '+' };
}

/** Pairs a unified line diff into rows: a run of removals beside the run of additions after it. */
export function sideBySide(lines: readonly TextDiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i];
    if (l.op === ' ') {
      rows.push({ left: { n: l.a ?? 0, text: l.text, op: ' ' }, right: { n: l.b ?? 0, text: l.text, op: ' ' } });
      i++;
      continue;
    }
    const removed: TextDiffLine[] = [];
    const added: TextDiffLine[] = [];
    while (i < lines.length && lines[i].op === '-') removed.push(lines[i++]);
    while (i < lines.length && lines[i].op === '+') added.push(lines[i++]);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const r = removed[k];
      const a = added[k];
      rows.push({
        ...(r ? { left: { n: r.a ?? 0, text: r.text, op: '-' as const } } : {}),
        ...(a ? { right: { n: a.b ?? 0, text: a.text, op: '+' as const } } : {}),
      });
    }
  }
  return rows;
}

/** Keeps `context` unchanged rows around each change; longer unchanged runs become one marker row. */
export function collapse(rows: SideBySideRow[], context: number): (SideBySideRow | { skipped: number })[] {
  const changed = rows.map((r) => r.left?.op === '-' || r.right?.op === '+');
  if (!changed.some(Boolean)) return rows;
  const keep = rows.map((_, i) => changed.slice(Math.max(0, i - context), i + context + 1).some(Boolean));
  const out: (SideBySideRow | { skipped: number })[] = [];
  let skipped = 0;
  // The server sends hunks only: a jump in line numbers is unchanged lines left out.
  let lastLeft = 0;
  rows.forEach((r, i) => {
    if (r.left && r.left.op === ' ' && lastLeft && r.left.n > lastLeft + 1) skipped += r.left.n - lastLeft - 1;
    if (r.left) lastLeft = r.left.n;
    if (keep[i]) {
      if (skipped) out.push({ skipped });
      skipped = 0;
      out.push(r);
    } else skipped++;
  });
  if (skipped) out.push({ skipped });
  return out;
}
