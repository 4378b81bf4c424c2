import { rangeWords } from '../analysis/regionWords.ts';
import { EXIT, type CliCommand } from './command.ts';
import { parse, usageError as usageErrorFor, EXIT_CODES_HELP } from './args.ts';
import { diffPolicies, type FieldChange, type PolicyDiff } from '../diff/index.ts';
import { addPolicyFile, isPolicyFile, libraryFor, resolveOrErrors } from '../sql/cliPolicy.ts';
import type { PolicyLibrary } from '../library/library.ts';
import type { ResolvedPolicy } from '../index.ts';

const usage = `tiaowen diff <a> <b> [options]

What changed from version a to version b: the header, facts, parameters (with their units) and
rules; with --impact, which rules decide differently, each with facts that show it (a solver,
engine/analysis), or a proof that the two decide identically.
比较两个版本:条文、事实、参数(带单位)与规则的变化;加 --impact 时用求解器找出结论会改变的规则,
并给出可复现的事实,或证明两个版本的结论完全相同。

a, b: <policy id>@<version> (from the library) or a policy file.

Options:
  --impact            also work out the change impact (takes seconds)
  --policies DIR      where policy ids and bases are looked up (default ./policies)
  --json              print {semantic, impact} as JSON
  -h, --help          this help

${EXIT_CODES_HELP}

Example: tiaowen diff gansu/poverty-loan@2015.1 my-draft.policy --impact`;

const usageError = (io: { err: (s: string) => void }, message: string) => usageErrorFor(io, message, usage);

async function resolveSide(library: PolicyLibrary, ref: string): Promise<ResolvedPolicy | { errors: string[] }> {
  if (isPolicyFile(ref)) {
    const added = await addPolicyFile(library, ref);
    if ('errors' in added) return added;
    const ir = library.get(added.id, added.version)!;
    return resolveOrErrors(library, added.id, { version: added.version, asOf: ir.effectiveFrom });
  }
  const at = ref.lastIndexOf('@');
  if (at <= 0) return { errors: [`${ref}: write <policy id>@<version> or the name of a policy file`] };
  const [id, version] = [ref.slice(0, at), ref.slice(at + 1)];
  const ir = library.get(id, version);
  if (!ir) return { errors: [`${ref}: no such version in the library (give --policies DIR, or a policy file)`] };
  return resolveOrErrors(library, id, { version, asOf: ir.effectiveFrom });
}

const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
const changeLines = (cs: readonly FieldChange[], indent: string) => cs.map((c) => `${indent}${c.field}: ${show(c.old)} → ${show(c.new)}`);

function summary(d: PolicyDiff): string[] {
  if (d.same) return ['没有变化 / no changes'];
  const out: string[] = [...changeLines(d.header, '  ')];
  for (const p of d.parameters.changed) {
    out.push(`  parameter ${p.name}:`, ...changeLines(p.changes, '    '));
    for (const v of p.values) out.push(`    from ${v.from}: ${v.display?.old?.zh ?? show(v.old)} → ${v.display?.new?.zh ?? show(v.new)}${v.citesChanged ? ' (citation)' : ''}`);
  }
  for (const p of d.parameters.added) out.push(`  + parameter ${p.name} ${p.label}`);
  for (const p of d.parameters.removed) out.push(`  - parameter ${p.name} ${p.label}`);
  for (const f of d.facts.added) out.push(`  + fact ${f.name} ${f.label}: ${f.type}`);
  for (const f of d.facts.removed) out.push(`  - fact ${f.name} ${f.label}: ${f.type}`);
  for (const f of d.facts.changed) out.push(`  fact ${f.name}:`, ...changeLines(f.changes, '    '));
  for (const r of d.rules.added) out.push(`  + rule ${r.id} ${r.title} (${r.citation})`);
  for (const r of d.rules.removed) out.push(`  - rule ${r.id} ${r.title} (${r.citation})`);
  for (const r of d.rules.changed) out.push(`  rule ${r.id} ${r.title}:`, ...changeLines(r.changes, '    '));
  return out;
}

export const command: CliCommand = {
  name: 'diff',
  summary: { zh: '比较两个版本(可含变更影响)', en: 'compare two versions (and their change impact)' },
  usage,
  async run(argv, io) {
    const args = parse(argv, { impact: { type: 'boolean' }, policies: { type: 'string' }, json: { type: 'boolean' } });
    if ('error' in args) return usageError(io, args.error);
    if (args.values.help) return io.out(usage), EXIT.ok;
    const [a, b, ...rest] = args.positionals;
    if (!a || !b || rest.length) return usageError(io, 'name exactly two versions: <policy id>@<version> or policy files');
    const library = await libraryFor(args.values.policies as string | undefined);
    const ra = await resolveSide(library, a);
    const rb = await resolveSide(library, b);
    for (const r of [ra, rb]) if ('errors' in r) return io.err(r.errors.join('\n')), EXIT.failed;
    const [pa, pb] = [ra as ResolvedPolicy, rb as ResolvedPolicy];
    const semantic = diffPolicies(pa.ir, pb.ir);
    let impact;
    if (args.values.impact) {
      const { changeImpact } = await import('../analysis/impact.ts');
      impact = await changeImpact(pa.ir, pb.ir);
    }
    if (args.values.json) {
      io.out(JSON.stringify({ semantic, ...(impact ? { impact } : {}) }, null, 2));
      return EXIT.ok;
    }
    io.out(`${a} → ${b}`);
    for (const l of summary(semantic)) io.out(l);
    if (impact) {
      io.out('');
      if (impact.identical) io.out('变更影响:已证明两个版本的结论完全相同 / impact: proved to decide identically');
      else io.out(`变更影响 / impact: ${impact.changes.length} 条规则的结论会改变 / rules change verdict`);
      for (const c of impact.changes) {
        io.out(`  ${c.rule}: ${c.before} → ${c.after}`);
        const cond = impact.conditions[c.rule];
        if (cond?.before) io.out(`    before: ${cond.before}`);
        if (cond?.after) io.out(`    after:  ${cond.after}`);
        if (c.region) {
          const decls = new Map([...pa.ir.facts, ...pb.ir.facts].map((f) => [f.name, f]));
          for (const f of c.region.facts) {
            const w = rangeWords(f, decls.get(f.fact));
            io.out(`    区域 / where: ${w.zh} / ${w.en}`);
          }
          if (c.region.partial) io.out('    (区域不完整:部分事实的范围未能确定 / region partial: some facts could not be bounded)');
        }
        io.out(`    例如 / e.g. as of ${c.witness.asOf}: ${JSON.stringify(c.witness.facts)}`);
      }
      for (const u of impact.undecided) io.out(`  ? ${u.rule}: ${u.reason}`);
    }
    return EXIT.ok;
  },
};
