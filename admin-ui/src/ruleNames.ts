/**
 * Officials' words for rules and facts: a rule is shown by its title and the article it cites
 * (`指南 三(六)`), its id only as a secondary detail; a fact by its label. The names come from the
 * IR of the versions a page shows: a published version from the server, a draft compiled here in
 * the browser (the same compiler the editor's linter runs).
 */
import { compileSource } from '../../engine/ir/compile.ts';
import type { FactDecl, PolicyIR } from '../../engine/ir/types.ts';
import { api } from './context.ts';
import { lang, t, type MessageKey } from './i18n/index.ts';

export interface RuleName {
  title: string;
  titleEn?: string;
  /** `<document key> <article>`, as the policy page's article column shows it. */
  cite: string;
}

export interface Names {
  rules: Map<string, RuleName>;
  facts: Map<string, FactDecl>;
}

export function emptyNames(): Names {
  return { rules: new Map(), facts: new Map() };
}

/** Adds a policy's rules and facts; names already present (from a later side) win. */
export function addNames(names: Names, ir: PolicyIR | undefined): Names {
  if (!ir) return names;
  for (const r of ir.rules) {
    if (!names.rules.has(r.id)) names.rules.set(r.id, { title: r.title, titleEn: r.titleEn, cite: `${r.cites.source} ${r.cites.article}` });
  }
  for (const f of ir.facts) if (!names.facts.has(f.name)) names.facts.set(f.name, f);
  return names;
}

/** The rule's title in the UI's language, or its id when the rule is not known here. */
export function ruleTitle(names: Names | undefined, id: string): string {
  const r = names?.rules.get(id);
  if (!r) return id;
  return lang() === 'en' ? r.titleEn || r.title : r.title;
}

export function ruleCite(names: Names | undefined, id: string): string | undefined {
  return names?.rules.get(id)?.cite;
}

export function factLabel(names: Names | undefined, name: string): string {
  const f = names?.facts.get(name);
  if (!f) return name;
  return lang() === 'en' ? f.labelEn || f.label : f.label;
}

/**
 * The IR behind a reference as the diff takes it: `draft:<id>`, `<policy>@<version>`, or a policy
 * id alone (the version in force today, else the latest). Undefined when it cannot be had (a draft
 * that does not compile, a version the caller may not read): pages then fall back to ids.
 */
export async function irOf(ref: string): Promise<PolicyIR | undefined> {
  try {
    if (ref.startsWith('draft:')) {
      const d = (await api.draft(Number(ref.slice('draft:'.length)))).data;
      return compileSource(d.source, { format: d.format, file: 'draft' }).value;
    }
    const at = ref.lastIndexOf('@');
    if (at > 0) return (await api.version(ref.slice(0, at), ref.slice(at + 1))).ir;
    const p = await api.policy(ref);
    const today = new Date().toISOString().slice(0, 10);
    const inForce = p.versions.filter((v) => v.effectiveFrom <= today).sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
    const v = inForce.at(-1) ?? p.versions.at(-1);
    return v ? (await api.version(p.id, v.version)).ir : undefined;
  } catch {
    return undefined; // names are a courtesy: the ids still say which rule
  }
}

/** Names of the sides of a comparison, given oldest first; the newest side's titles win. */
export async function namesOf(...refs: string[]): Promise<Names> {
  const irs = await Promise.all(refs.map((r) => irOf(r)));
  const names = emptyNames();
  for (const ir of irs.reverse()) addNames(names, ir);
  return names;
}

const KINDS = new Set(['violation', 'accountability', 'eligible', 'ineligible', 'notice', 'commendation', 'computation']);

/** An outcome kind, or a simulation's `none` / `undetermined` / `invalid-facts`, in words. */
export function outcomeKindWords(k: string): string {
  if (KINDS.has(k)) return t(`kind.${k}` as MessageKey);
  if (k === 'none') return t('simulate.kindNone');
  if (k === 'undetermined') return t('simulate.kindUndetermined');
  if (k === 'invalid-facts') return t('simulate.kindInvalid');
  return k;
}
