/**
 * The YAML form of a policy (docs/language.md, "The YAML form"): the same structure as the DSL,
 * with expressions as DSL expression strings. Reading keeps YAML node ranges, so a missing field
 * or an expression error points at the right line and column of the YAML file; expressions are
 * parsed from their raw source text where that is exact (plain, block and escape-free quoted
 * scalars), so their ranges land on the characters written.
 *
 * Parameter values are read by the parameter's type: under `money`, `500` is 500 yuan; a string
 * value of a non-string type is a DSL literal (`3%`, `5万元`).
 */
import { LineCounter, YAMLMap, isMap, isPair, isScalar, isSeq, parseDocument, stringify, type Node as YamlNode } from 'yaml';
import type {
  CitationAst,
  DefinitionAst,
  DisabledAst,
  CompleteAst,
  ExprAst,
  FactDeclAst,
  OutcomeAst,
  ParameterAst,
  PolicyAst,
  PolicyRefAst,
  RuleAst,
  SourceAst,
  TypeAst,
  CellAst,
  IndicatorAst,
  ScorecardAst,
  TableAst,
  TableRowAst,
} from './ast.ts';
import type { Diagnostic, Range, Result } from './diagnostics.ts';
import { cellText, formatExpression } from './format.ts';
import { diag } from './messages.ts';
import { MAX_DOC_DEPTH, tooDeepInPolicy } from './depth.ts';
import { parseCell, parseExpression, positionAt, tooDeep } from './parse.ts';
import { isValidDate } from './toAst.ts';
import { FUNCTION_BY_WORD, HIT_BY_WORD, OUTCOME_BY_WORD, SEVERITY_BY_WORD, TYPE_BY_WORD } from './tokens.ts';

type Scalarish = string | number | boolean;

class YamlReader {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string | undefined,
  ) {}

  range(node: YamlNode | undefined | null): Range | undefined {
    const r = node?.range;
    if (!r) return undefined;
    return this.rangeAt(r[0], r[1]);
  }

  rangeAt(start: number, end: number): Range {
    const r: Range = { start: positionAt(this.text, start), end: positionAt(this.text, end) };
    if (this.file !== undefined) r.file = this.file;
    return r;
  }

  located<T extends { loc?: Range }>(x: T, node: YamlNode | undefined | null): T {
    const loc = this.range(node);
    if (loc) x.loc = loc;
    return x;
  }

  // ---------------------------------------------------------------------------------------------
  // Field access with diagnostics

  map(node: unknown, where: string, example: string): YAMLMap | undefined {
    if (isMap(node)) return node;
    if (node !== undefined && node !== null) {
      this.diagnostics.push(
        diag('yaml.wrong-type', this.range(node as YamlNode), { where, wantZh: '映射(键: 值)', wantEn: 'a mapping (key: value)', example }),
      );
    }
    return undefined;
  }

  field(m: YAMLMap | undefined, key: string): YamlNode | undefined {
    if (!m) return undefined;
    for (const pair of m.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k === key) return (pair.value ?? undefined) as YamlNode | undefined;
    }
    return undefined;
  }

  /** The node of a field, reporting `yaml.missing-field` (at `owner`) when it is absent. */
  required(m: YAMLMap | undefined, key: string, where: string, example: string, owner: YamlNode | undefined): YamlNode | undefined {
    const v = this.field(m, key);
    if (v === undefined && m) {
      this.diagnostics.push(diag('yaml.missing-field', this.range(owner ?? m), { where, field: key, example }));
    }
    return v;
  }

  unknownFields(m: YAMLMap | undefined, known: string[], where: string): void {
    if (!m) return;
    for (const pair of m.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (!known.includes(k)) {
        this.diagnostics.push(
          diag('yaml.unknown-field', this.range(pair.key as YamlNode), { where, field: k, known: known.join(', ') }),
        );
      }
    }
  }

  /** A scalar's text as written (so `version: 2015.10` stays "2015.10"). */
  str(node: YamlNode | undefined, where: string, example = '"…"'): string | undefined {
    if (node === undefined) return undefined;
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      if (typeof node.value === 'string') return node.value;
      return node.source ?? String(node.value);
    }
    this.diagnostics.push(diag('yaml.wrong-type', this.range(node), { where, wantZh: '文本', wantEn: 'a string', example }));
    return undefined;
  }

  date(node: YamlNode | undefined, where: string): string | undefined {
    const s = this.str(node, where, '2017-08-01');
    if (s !== undefined && !isValidDate(s)) this.diagnostics.push(diag('dsl.bad-date', this.range(node), { text: s }));
    return s;
  }

  seq(node: YamlNode | undefined, where: string, example: string): YamlNode[] {
    if (node === undefined) return [];
    if (isSeq(node)) return node.items as YamlNode[];
    this.diagnostics.push(diag('yaml.wrong-type', this.range(node), { where, wantZh: '列表', wantEn: 'a list', example }));
    return [];
  }

  /** Parses an expression field from its source text, with ranges in the YAML file. */
  expr(node: YamlNode | undefined, where: string): ExprAst {
    return this.parsed(node, where, parseExpression, { type: 'name', name: '' }, { zh: '表达式文本', en: 'an expression string', example: '"金额 > 0元"' });
  }

  /** A table cell written as DSL cell text (`">= 90"`, `any`, `in ["a"]`), ranges in the YAML file. */
  cell(node: YamlNode | undefined, where: string): CellAst {
    return this.parsed(node, where, parseCell, { op: 'any' }, { zh: '单元格文本', en: 'a cell string', example: '">= 90"' });
  }

  parsed<T>(
    node: YamlNode | undefined,
    where: string,
    parse: (text: string, opts: { file?: string; at?: ReturnType<typeof positionAt> }) => Result<T>,
    fallback: T,
    want: { zh: string; en: string; example: string },
  ): T {
    if (node === undefined) return fallback;
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.diagnostics.push(diag('yaml.wrong-type', this.range(node), { where, wantZh: want.zh, wantEn: want.en, example: want.example }));
      return fallback;
    }
    const [start, valueEnd] = node.range ?? [0, 0, 0];
    const raw = this.text.slice(start, valueEnd);
    let source = String(node.source ?? node.value);
    let offset = start;
    switch (node.type) {
      case 'PLAIN':
        source = raw; // line breaks in a multi-line plain scalar are white space to the DSL too
        break;
      case 'QUOTE_DOUBLE':
      case 'QUOTE_SINGLE': {
        const inner = raw.slice(1, -1);
        // Without escapes the raw text is the value; otherwise positions are approximate.
        const exact = node.type === 'QUOTE_DOUBLE' ? !inner.includes('\\') : !inner.includes("''");
        if (exact) source = inner;
        offset = start + 1;
        break;
      }
      case 'BLOCK_LITERAL':
      case 'BLOCK_FOLDED': {
        // The block's lines as written (indentation is white space to the DSL), after its header line.
        const nl = raw.indexOf('\n');
        if (nl >= 0) {
          source = raw.slice(nl + 1);
          offset = start + nl + 1;
        }
        break;
      }
      default:
        break;
    }
    const parsed = parse(source, { at: positionAt(this.text, offset), ...(this.file !== undefined ? { file: this.file } : {}) });
    this.diagnostics.push(...parsed.diagnostics);
    return parsed.value ?? fallback;
  }

  // ---------------------------------------------------------------------------------------------
  // The policy

  policy(root: YamlNode | undefined): PolicyAst | undefined {
    const m = this.map(root, 'the policy', 'policy: gansu/poverty-loan');
    if (!m) return undefined;
    const where = 'policy';
    this.unknownFields(
      m,
      ['policy', 'title', 'titleEn', 'jurisdiction', 'version', 'effective', 'extends', 'supersedes', 'sources', 'facts', 'parameters', 'definitions', 'rules', 'disabled', 'complete', 'tables', 'scorecards'],
      where,
    );
    const effective = this.map(this.required(m, 'effective', where, '{ from: 2017-08-01 }', m), 'effective', '{ from: 2017-08-01 }');
    const ast: PolicyAst = {
      id: this.str(this.required(m, 'policy', where, 'gansu/poverty-loan', m), 'policy') ?? '',
      title: this.str(this.required(m, 'title', where, '"…"', m), 'title') ?? '',
      jurisdiction: this.str(this.required(m, 'jurisdiction', where, 'gansu', m), 'jurisdiction') ?? '',
      version: this.str(this.required(m, 'version', where, '"2017.1"', m), 'version') ?? '',
      effectiveFrom: this.date(this.required(effective, 'from', 'effective', '2017-08-01', effective), 'effective.from') ?? '',
      supersedes: this.seq(this.field(m, 'supersedes'), 'supersedes', '["central/x@2016.1"]').flatMap((n) => {
        const r = this.ref(n, 'supersedes');
        return r ? [r] : [];
      }),
      sources: this.seq(this.field(m, 'sources'), 'sources', '[{ key: 指南, title: "…" }]').map((n) => this.source(n)),
      facts: this.seq(this.field(m, 'facts'), 'facts', '[{ name: 金额, label: 金额, type: money }]').map((n) => this.fact(n, 'facts')),
      parameters: this.seq(this.field(m, 'parameters'), 'parameters', '[{ name: …, label: …, type: percent, values: […] }]').map(
        (n) => this.parameter(n),
      ),
      definitions: this.seq(this.field(m, 'definitions'), 'definitions', '[{ name: …, expr: "…" }]').map((n) =>
        this.definition(n, 'definitions'),
      ),
      rules: this.seq(this.required(m, 'rules', where, '[{ id: …, title: …, cites: …, when: …, then: … }]', m), 'rules', '[…]').map(
        (n) => this.rule(n),
      ),
      disabled: this.seq(this.field(m, 'disabled'), 'disabled', '[{ rule: r1, reason: "…" }]').map((n) => this.disabled(n)),
    };
    const complete = this.seq(this.field(m, 'complete'), 'complete', '[{ rules: [r1, r2], reason: "…" }]').map((n) => this.complete(n));
    if (complete.length) ast.complete = complete;
    const tables = this.seq(this.field(m, 'tables'), 'tables', '[{ id: …, title: …, hit: first, columns: […], rows: […] }]').map((n) => this.table(n));
    if (tables.length) ast.tables = tables;
    const cards = this.seq(this.field(m, 'scorecards'), 'scorecards', '[{ id: …, title: …, indicators: […], grades: […] }]').map((n) => this.scorecard(n));
    if (cards.length) ast.scorecards = cards;
    const titleEn = this.str(this.field(m, 'titleEn'), 'titleEn');
    if (titleEn !== undefined) ast.titleEn = titleEn;
    const until = this.field(effective, 'until');
    if (until !== undefined) ast.effectiveUntil = this.date(until, 'effective.until') ?? '';
    const ext = this.field(m, 'extends');
    if (ext !== undefined) {
      const r = this.ref(ext, 'extends');
      if (r) ast.extends = r;
    }
    return this.located(ast, root);
  }

  ref(node: YamlNode, where: string): PolicyRefAst | undefined {
    const s = this.str(node, where, 'central/poverty-loan@2017.1');
    if (s === undefined) return undefined;
    const at = s.lastIndexOf('@');
    const r: PolicyRefAst = at >= 0 ? { policy: s.slice(0, at), version: s.slice(at + 1) } : { policy: s };
    return this.located(r, node);
  }

  source(node: YamlNode): SourceAst {
    const m = this.map(node, 'sources[]', '{ key: 指南, title: "…" }');
    const where = 'source';
    this.unknownFields(m, ['key', 'title', 'number'], where);
    const s: SourceAst = {
      key: this.str(this.required(m, 'key', where, '指南', node), 'key') ?? '',
      title: this.str(this.required(m, 'title', where, '"…"', node), 'title') ?? '',
    };
    const num = this.str(this.field(m, 'number'), 'number');
    if (num !== undefined) s.number = num;
    return this.located(s, node);
  }

  fact(node: YamlNode, where: string): FactDeclAst {
    const m = this.map(node, where, '{ name: 金额, label: 贷款金额, type: money }');
    this.unknownFields(m, ['name', 'label', 'labelEn', 'type', 'description', 'personal', 'subject'], 'fact');
    const f: FactDeclAst = {
      name: this.str(this.required(m, 'name', 'fact', '金额', node), 'name') ?? '',
      label: this.str(this.required(m, 'label', 'fact', '贷款金额', node), 'label') ?? '',
      type: this.type(this.required(m, 'type', 'fact', 'money', node)),
    };
    const en = this.str(this.field(m, 'labelEn'), 'labelEn');
    if (en !== undefined) f.labelEn = en;
    const desc = this.str(this.field(m, 'description'), 'description');
    if (desc !== undefined) f.description = desc;
    for (const mark of ['personal', 'subject'] as const) {
      const v = this.field(m, mark);
      if (v === undefined) continue;
      if (isScalar(v) && typeof v.value === 'boolean') {
        if (v.value) f[mark] = true;
      } else {
        this.diagnostics.push(diag('yaml.wrong-type', this.range(v), { where: mark, wantZh: 'true 或 false', wantEn: 'true or false', example: 'true' }));
      }
    }
    return this.located(f, node);
  }

  type(node: YamlNode | undefined): TypeAst {
    if (node === undefined) return { kind: 'string' };
    if (isScalar(node)) {
      const w = String(node.value);
      const kind = TYPE_BY_WORD.get(w);
      if (kind === undefined) {
        this.diagnostics.push(diag('dsl.unknown-type', this.range(node), { text: w }));
        return this.located<TypeAst>({ kind: 'string' }, node);
      }
      return this.located<TypeAst>({ kind: kind as 'boolean' }, node);
    }
    const m = this.map(node, 'type', 'money');
    const enumNode = this.field(m, 'enum');
    const listNode = this.field(m, 'list');
    if (enumNode !== undefined) {
      const values = this.seq(enumNode, 'enum', '[{ value: 种植, label: 种植业 }]').map((n) => {
        const vm = this.map(n, 'enum value', '{ value: 种植, label: 种植业 }');
        const v: { value: string; label: string; labelEn?: string; loc?: Range } = {
          value: this.str(this.required(vm, 'value', 'enum value', '种植', n), 'value') ?? '',
          label: this.str(this.required(vm, 'label', 'enum value', '种植业', n), 'label') ?? '',
        };
        const en = this.str(this.field(vm, 'labelEn'), 'labelEn');
        if (en !== undefined) v.labelEn = en;
        return this.located(v, n);
      });
      return this.located<TypeAst>({ kind: 'enum', values }, node);
    }
    if (listNode !== undefined) {
      const fields = this.seq(listNode, 'list', '[{ name: 金额, label: 本金, type: money }]').map((n) => this.fact(n, 'list field'));
      return this.located<TypeAst>({ kind: 'list', fields }, node);
    }
    this.diagnostics.push(
      diag('yaml.wrong-type', this.range(node), {
        where: 'type',
        wantZh: '类型名或 { enum: […] } / { list: […] }',
        wantEn: 'a type name or { enum: […] } / { list: […] }',
        example: 'money',
      }),
    );
    return { kind: 'string' };
  }

  parameter(node: YamlNode): ParameterAst {
    const m = this.map(node, 'parameters[]', '{ name: …, label: …, type: percent, values: […] }');
    const where = 'parameter';
    this.unknownFields(m, ['name', 'label', 'labelEn', 'type', 'values'], where);
    const type = this.type(this.required(m, 'type', where, 'percent', node));
    const p: ParameterAst = {
      name: this.str(this.required(m, 'name', where, '红线', node), 'name') ?? '',
      label: this.str(this.required(m, 'label', where, '"…"', node), 'label') ?? '',
      type,
      values: this.seq(this.required(m, 'values', where, '[{ from: 2017-08-01, value: 3% }]', node), 'values', '[…]').map((n) => {
        const vm = this.map(n, 'parameter value', '{ from: 2017-08-01, value: 3% }');
        this.unknownFields(vm, ['from', 'value', 'cites'], 'parameter value');
        const v: ParameterAst['values'][number] = {
          from: this.date(this.required(vm, 'from', 'parameter value', '2017-08-01', n), 'from') ?? '',
          value: this.literal(this.required(vm, 'value', 'parameter value', '3%', n), type),
        };
        const cites = this.field(vm, 'cites');
        if (cites !== undefined) v.cites = this.citation(cites);
        return this.located(v, n);
      }),
    };
    const en = this.str(this.field(m, 'labelEn'), 'labelEn');
    if (en !== undefined) p.labelEn = en;
    return this.located(p, node);
  }

  /** A parameter value, read by the parameter's type (see the file comment). */
  literal(node: YamlNode | undefined, type: TypeAst): ExprAst {
    if (node === undefined) return { type: 'name', name: '' };
    if (!isScalar(node)) return this.expr(node, 'value');
    const v = node.value as Scalarish | null;
    let e: ExprAst | undefined;
    if (typeof v === 'boolean') e = { type: 'boolean', value: v };
    else if (typeof v === 'number') {
      if (type.kind === 'money') e = { type: 'money', yuan: v };
      else if (type.kind === 'percent') e = { type: 'percent', value: v };
      else e = Number.isInteger(v) ? { type: 'number', value: v, integer: true } : { type: 'number', value: v };
    } else if (typeof v === 'string' && (type.kind === 'string' || type.kind === 'enum')) e = { type: 'string', value: v };
    else if (typeof v === 'string' && type.kind === 'date' && /^\d{4}-\d{1,2}-\d{1,2}$/.test(v)) {
      if (!isValidDate(v)) this.diagnostics.push(diag('dsl.bad-date', this.range(node), { text: v }));
      e = { type: 'date', value: v };
    }
    return e ? this.located(e, node) : this.expr(node, 'value');
  }

  definition(node: YamlNode, where: string): DefinitionAst {
    const m = this.map(node, where, '{ name: 比例, expr: "…" }');
    this.unknownFields(m, ['name', 'label', 'labelEn', 'expr'], where);
    const d: DefinitionAst = {
      name: this.str(this.required(m, 'name', where, '比例', node), 'name') ?? '',
      expr: this.expr(this.required(m, 'expr', where, '"ratio(贷款 where 逾期天数 >= 90)"', node), 'expr'),
    };
    const label = this.str(this.field(m, 'label'), 'label');
    if (label !== undefined) d.label = label;
    const en = this.str(this.field(m, 'labelEn'), 'labelEn');
    if (en !== undefined) d.labelEn = en;
    return this.located(d, node);
  }

  citation(node: YamlNode): CitationAst {
    const m = this.map(node, 'cites', '{ source: 指南, article: "三(六)" }');
    this.unknownFields(m, ['source', 'article', 'quote'], 'cites');
    const c: CitationAst = {
      source: this.str(this.required(m, 'source', 'cites', '指南', node), 'source') ?? '',
      article: this.str(this.required(m, 'article', 'cites', '"三(六)"', node), 'article') ?? '',
    };
    const q = this.str(this.field(m, 'quote'), 'quote');
    if (q !== undefined) c.quote = q;
    return this.located(c, node);
  }

  rule(node: YamlNode): RuleAst {
    const m = this.map(node, 'rules[]', '{ id: …, title: …, cites: …, when: …, then: … }');
    const id = this.str(this.field(m, 'id'), 'id') ?? '';
    const where = id === '' ? 'rule' : `rule ${id}`;
    this.required(m, 'id', where, 'npl_red_line', node);
    this.unknownFields(m, ['id', 'title', 'titleEn', 'cites', 'exceptionTo', 'overrides', 'lets', 'when', 'then'], where);
    const r: RuleAst = {
      id,
      title: this.str(this.required(m, 'title', where, '"…"', node), 'title') ?? '',
      lets: this.seq(this.field(m, 'lets'), 'lets', '[{ name: …, expr: "…" }]').map((n) => this.definition(n, 'let')),
      when: this.expr(this.required(m, 'when', where, '"金额 > 0元"', node), 'when'),
      then: this.outcome(this.required(m, 'then', where, '{ kind: violation, message: { zh: "…" } }', node), where),
    };
    const titleEn = this.str(this.field(m, 'titleEn'), 'titleEn');
    if (titleEn !== undefined) r.titleEn = titleEn;
    // `cites` stays optional here, as in the DSL: lowering reports a missing citation with its hint.
    const cites = this.field(m, 'cites');
    if (cites !== undefined) r.cites = this.citation(cites);
    const exc = this.str(this.field(m, 'exceptionTo'), 'exceptionTo');
    if (exc !== undefined) r.exceptionTo = exc;
    const ov = this.field(m, 'overrides');
    if (ov !== undefined) {
      if (isScalar(ov) && typeof ov.value === 'boolean') {
        if (ov.value) r.overrides = true;
      } else {
        this.diagnostics.push(diag('yaml.wrong-type', this.range(ov), { where: 'overrides', wantZh: 'true 或 false', wantEn: 'true or false', example: 'true' }));
      }
    }
    return this.located(r, node);
  }

  outcome(node: YamlNode | undefined, where: string): OutcomeAst {
    const m = this.map(node, 'then', '{ kind: violation, message: { zh: "…" } }');
    const o: OutcomeAst = { kind: '', message: { zh: '' }, consequences: [], computed: [] };
    if (!m) return o;
    this.unknownFields(m, ['kind', 'severity', 'message', 'consequences', 'compute'], `${where}.then`);
    const kind = this.str(this.required(m, 'kind', `${where}.then`, 'violation', node), 'kind') ?? '';
    o.kind = OUTCOME_BY_WORD.get(kind) ?? kind;
    const sev = this.str(this.field(m, 'severity'), 'severity');
    if (sev !== undefined) o.severity = SEVERITY_BY_WORD.get(sev) ?? sev;
    const msg = this.required(m, 'message', `${where}.then`, '{ zh: "…", en: "…" }', node);
    if (msg !== undefined && isScalar(msg)) o.message = { zh: this.str(msg, 'message') ?? '' };
    else if (msg !== undefined) {
      const mm = this.map(msg, 'message', '{ zh: "…", en: "…" }');
      this.unknownFields(mm, ['zh', 'en'], `${where}.then.message`);
      o.message = { zh: this.str(this.required(mm, 'zh', 'message', '"…"', msg), 'message.zh') ?? '' };
      const en = this.str(this.field(mm, 'en'), 'message.en');
      if (en !== undefined) o.message.en = en;
    }
    o.consequences = this.seq(this.field(m, 'consequences'), 'consequences', '[约谈, 通报批评]').map((n) => this.str(n, 'consequences') ?? '');
    o.computed = this.seq(this.field(m, 'compute'), 'compute', '[{ name: 罚款, expr: "贴息金额 * 10" }]').map((n) =>
      this.definition(n, 'compute'),
    );
    return this.located(o, node);
  }

  // ---------------------------------------------------------------------------------------------
  // Decision tables and scorecards

  columns(m: YAMLMap | undefined, where: string): ExprAst[] {
    return this.seq(this.field(m, 'columns'), `${where}.columns`, '[逾期天数, 贷款用途]').map((n) => this.expr(n, 'columns'));
  }

  rows(node: YamlNode | undefined, where: string): TableRowAst[] {
    return this.seq(node, `${where}.rows`, '[{ cells: [">= 90", any], cites: …, then: … }]').map((n) => this.row(n, where));
  }

  row(node: YamlNode, where: string): TableRowAst {
    const m = this.map(node, `${where}.rows[]`, '{ cells: [">= 90", any], cites: …, then: … }');
    this.unknownFields(m, ['id', 'cells', 'gives', 'cites', 'then'], `${where} row`);
    const r: TableRowAst = {
      cells: this.seq(this.required(m, 'cells', `${where} row`, '[">= 90", any]', node), 'cells', '[">= 90", any]').map((n) => this.cell(n, 'cells')),
    };
    const id = this.str(this.field(m, 'id'), 'id');
    if (id !== undefined) r.id = id;
    const gives = this.field(m, 'gives');
    if (gives !== undefined) r.gives = this.expr(gives, 'gives');
    const cites = this.field(m, 'cites');
    if (cites !== undefined) r.cites = this.citation(cites);
    const then = this.field(m, 'then');
    if (then !== undefined) r.then = this.outcome(then, `${where} row`);
    return this.located(r, node);
  }

  table(node: YamlNode): TableAst {
    const m = this.map(node, 'tables[]', '{ id: …, title: …, hit: first, columns: […], rows: […] }');
    const id = this.str(this.field(m, 'id'), 'id') ?? '';
    const where = id === '' ? 'table' : `table ${id}`;
    this.required(m, 'id', where, '逾期分级', node);
    this.unknownFields(m, ['id', 'title', 'titleEn', 'hit', 'columns', 'rows', 'complete'], where);
    // `hit` is written as in the DSL: `first`, `unique`, `collect sum`.
    const hitWords = (this.str(this.required(m, 'hit', where, 'first', node), 'hit') ?? 'first').trim().split(/\s+/);
    const t: TableAst = {
      id,
      title: this.str(this.required(m, 'title', where, '"…"', node), 'title') ?? '',
      hit: HIT_BY_WORD.get(hitWords[0]) ?? hitWords[0],
      columns: this.columns(m, where),
      rows: this.rows(this.field(m, 'rows'), where),
    };
    if (hitWords[1] !== undefined) t.aggregate = FUNCTION_BY_WORD.get(hitWords[1]) ?? hitWords[1];
    const titleEn = this.str(this.field(m, 'titleEn'), 'titleEn');
    if (titleEn !== undefined) t.titleEn = titleEn;
    const complete = this.str(this.field(m, 'complete'), 'complete');
    if (complete !== undefined) t.complete = complete;
    return this.located(t, node);
  }

  scorecard(node: YamlNode): ScorecardAst {
    const m = this.map(node, 'scorecards[]', '{ id: …, title: …, indicators: […], grades: […] }');
    const id = this.str(this.field(m, 'id'), 'id') ?? '';
    const where = id === '' ? 'scorecard' : `scorecard ${id}`;
    this.required(m, 'id', where, '考核', node);
    this.unknownFields(m, ['id', 'title', 'titleEn', 'indicators', 'grades'], where);
    const s: ScorecardAst = {
      id,
      title: this.str(this.required(m, 'title', where, '"…"', node), 'title') ?? '',
      indicators: this.seq(this.field(m, 'indicators'), 'indicators', '[{ id: …, label: …, columns: […], rows: […] }]').map((n) => {
        const im = this.map(n, 'indicators[]', '{ id: …, label: …, columns: […], rows: […] }');
        const iid = this.str(this.required(im, 'id', where, '成效', n), 'id') ?? '';
        this.unknownFields(im, ['id', 'label', 'labelEn', 'columns', 'rows'], `indicator ${iid}`);
        const ind: IndicatorAst = {
          id: iid,
          label: this.str(this.required(im, 'label', `indicator ${iid}`, '"…"', n), 'label') ?? '',
          columns: this.columns(im, `indicator ${iid}`),
          rows: this.rows(this.field(im, 'rows'), `indicator ${iid}`),
        };
        const en = this.str(this.field(im, 'labelEn'), 'labelEn');
        if (en !== undefined) ind.labelEn = en;
        return this.located(ind, n);
      }),
      grades: this.rows(this.field(m, 'grades'), `${where} grades`),
    };
    const titleEn = this.str(this.field(m, 'titleEn'), 'titleEn');
    if (titleEn !== undefined) s.titleEn = titleEn;
    return this.located(s, node);
  }

  complete(node: YamlNode): CompleteAst {
    const m = this.map(node, 'complete[]', '{ rules: [r1, r2], reason: "…" }');
    this.unknownFields(m, ['rules', 'reason'], 'complete');
    const c: CompleteAst = {
      rules: this.seq(this.required(m, 'rules', 'complete', '[r1, r2]', node), 'complete.rules', '[r1, r2]').flatMap((n) => {
        const id = this.str(n, 'complete.rules');
        return id === undefined ? [] : [id];
      }),
      reason: this.str(this.required(m, 'reason', 'complete', '"…"', node), 'reason') ?? '',
    };
    return this.located(c, node);
  }

  disabled(node: YamlNode): DisabledAst {
    const m = this.map(node, 'disabled[]', '{ rule: r1, reason: "…" }');
    this.unknownFields(m, ['rule', 'reason'], 'disabled');
    const d: DisabledAst = {
      rule: this.str(this.required(m, 'rule', 'disabled', 'r1', node), 'rule') ?? '',
      reason: this.str(this.required(m, 'reason', 'disabled', '"…"', node), 'reason') ?? '',
    };
    return this.located(d, node);
  }
}

/** Reads a `.policy.yaml` file. `value` is present whenever the YAML itself could be read. */
export function parseYamlPolicy(text: string, opts: { file?: string } = {}): Result<PolicyAst> {
  const reader = new YamlReader(text, opts.file);
  // The yaml package recurses into flow collections (`[[[…`) and overflows the stack on ~10,000.
  const flowAt = flowTooDeep(text);
  if (flowAt >= 0) return { diagnostics: [diag('yaml.too-deep', reader.rangeAt(flowAt, flowAt + 1), { max: String(MAX_DOC_DEPTH) })] };
  const doc = parseDocument(text, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const [start, end] = e.pos;
    const detail = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    return diag('yaml.syntax', reader.rangeAt(start, Math.max(end, start)), { detail });
  });
  if (diagnostics.length > 0 && !doc.contents) return { diagnostics };
  // The reader recurses over list types; refuse absurd nesting before it sees the document.
  const deep = tooDeepYaml(doc.contents ?? undefined);
  if (deep) {
    const [start, , end] = deep.range ?? [0, 0, 0];
    diagnostics.push(diag('yaml.too-deep', reader.rangeAt(start, Math.max(end, start)), { max: String(MAX_DOC_DEPTH) }));
    return { diagnostics };
  }
  const value = reader.policy(doc.contents ?? undefined);
  const deepList = value ? tooDeepInPolicy(value) : undefined;
  if (deepList) return { diagnostics: [...diagnostics, tooDeep(deepList.loc, deepList.what)] };
  // A broken document makes fields look missing; only its syntax errors are worth reading then.
  if (diagnostics.length === 0) diagnostics.push(...reader.diagnostics);
  diagnostics.sort((a, b) => (a.range?.start.offset ?? 0) - (b.range?.start.offset ?? 0));
  return value ? { value, diagnostics } : { diagnostics };
}

/**
 * The offset of the first `[` or `{` opening more than MAX_DOC_DEPTH flow collections, or -1.
 * Skips quoted scalars and comments; brackets inside plain text count, which can only make it
 * refuse text with a run of over a hundred unclosed brackets.
 */
function flowTooDeep(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      // A quoted scalar: `\"` escapes in double quotes, `''` in single quotes.
      for (i++; i < text.length && text[i] !== c; i++) if (c === '"' && text[i] === '\\') i++;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DOC_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return -1;
}

/** The first YAML node nested deeper than MAX_DOC_DEPTH collections, or undefined; iterative. */
function tooDeepYaml(root: unknown): YamlNode | undefined {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [n, d] = stack.pop()!;
    if (isMap(n) || isSeq(n)) {
      if (d > MAX_DOC_DEPTH) return n;
      for (const item of n.items as unknown[]) {
        if (isPair(item)) {
          stack.push([item.key, d + 1], [item.value, d + 1]);
        } else stack.push([item, d + 1]);
      }
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------
// Writing

type Plain = string | number | boolean | Plain[] | { [k: string]: Plain };

function refText(r: PolicyRefAst): string {
  return r.version === undefined ? r.policy : `${r.policy}@${r.version}`;
}

function typeToPlain(t: TypeAst): Plain {
  if (t.kind === 'enum') {
    return { enum: t.values.map((v) => withOptional({ value: v.value, label: v.label }, { labelEn: v.labelEn })) };
  }
  if (t.kind === 'list') return { list: t.fields.map(factToPlain) };
  return t.kind;
}

function withOptional(base: { [k: string]: Plain }, optional: Record<string, Plain | undefined>): { [k: string]: Plain } {
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) base[k] = v;
  return base;
}

function factToPlain(f: FactDeclAst): Plain {
  return withOptional(
    { name: f.name, label: f.label },
    { labelEn: f.labelEn, type: typeToPlain(f.type), description: f.description, personal: f.personal ? true : undefined, subject: f.subject ? true : undefined },
  );
}

function literalToPlain(e: ExprAst, type: TypeAst): Plain {
  // Native YAML values where the parameter's type says how to read them back; DSL text otherwise.
  if (e.type === 'boolean') return e.value;
  if (e.type === 'number' && (type.kind === 'number' || type.kind === 'integer')) return e.value;
  if (e.type === 'string' && (type.kind === 'string' || type.kind === 'enum')) return e.value;
  if (e.type === 'date' && type.kind === 'date') return e.value;
  return formatExpression(e);
}

function citationToPlain(c: CitationAst): Plain {
  return withOptional({ source: c.source, article: c.article }, { quote: c.quote });
}

function outcomeToPlain(o: OutcomeAst): Plain {
  return withOptional(
    { kind: o.kind },
    {
      severity: o.severity,
      message: withOptional({ zh: o.message.zh }, { en: o.message.en }),
      consequences: o.consequences.length > 0 ? o.consequences : undefined,
      compute: o.computed.length > 0 ? o.computed.map(defToPlain) : undefined,
    },
  );
}

function rowToPlain(r: TableRowAst): Plain {
  return withOptional(
    {},
    {
      id: r.id,
      cells: r.cells.map((c) => cellText(c, 'en')),
      gives: r.gives ? formatExpression(r.gives) : undefined,
      cites: r.cites ? citationToPlain(r.cites) : undefined,
      then: r.then ? outcomeToPlain(r.then) : undefined,
    },
  );
}

function tableToPlain(t: TableAst): Plain {
  return withOptional(
    { id: t.id, title: t.title },
    {
      titleEn: t.titleEn,
      hit: t.aggregate === undefined ? t.hit : `${t.hit} ${t.aggregate}`,
      columns: t.columns.map((c) => formatExpression(c)),
      rows: t.rows.map(rowToPlain),
      complete: t.complete,
    },
  );
}

function scorecardToPlain(s: ScorecardAst): Plain {
  return withOptional(
    { id: s.id, title: s.title },
    {
      titleEn: s.titleEn,
      indicators: s.indicators.map((i) =>
        withOptional({ id: i.id, label: i.label }, { labelEn: i.labelEn, columns: i.columns.map((c) => formatExpression(c)), rows: i.rows.map(rowToPlain) }),
      ),
      grades: s.grades.map(rowToPlain),
    },
  );
}

function defToPlain(d: DefinitionAst): Plain {
  return withOptional({ name: d.name }, { label: d.label, labelEn: d.labelEn, expr: formatExpression(d.expr) });
}

/** Writes the YAML form; parseYamlPolicy(policyToYaml(ast)) gives `ast` back, ignoring `loc`. */
export function policyToYaml(ast: PolicyAst): string {
  const doc: { [k: string]: Plain } = withOptional(
    { policy: ast.id, title: ast.title },
    {
      titleEn: ast.titleEn,
      jurisdiction: ast.jurisdiction,
      version: ast.version,
      effective: withOptional({ from: ast.effectiveFrom }, { until: ast.effectiveUntil }),
      extends: ast.extends ? refText(ast.extends) : undefined,
      supersedes: ast.supersedes.length > 0 ? ast.supersedes.map(refText) : undefined,
      sources: ast.sources.map((s) => withOptional({ key: s.key, title: s.title }, { number: s.number })),
      facts: ast.facts.length > 0 ? ast.facts.map(factToPlain) : undefined,
      parameters:
        ast.parameters.length > 0
          ? ast.parameters.map((p) =>
              withOptional(
                { name: p.name, label: p.label },
                {
                  labelEn: p.labelEn,
                  type: typeToPlain(p.type),
                  values: p.values.map((v) =>
                    withOptional({ from: v.from, value: literalToPlain(v.value, p.type) }, { cites: v.cites ? citationToPlain(v.cites) : undefined }),
                  ),
                },
              ),
            )
          : undefined,
      definitions: ast.definitions.length > 0 ? ast.definitions.map(defToPlain) : undefined,
      rules: ast.rules.map((r) =>
        withOptional(
          { id: r.id, title: r.title },
          {
            titleEn: r.titleEn,
            cites: r.cites ? citationToPlain(r.cites) : undefined,
            exceptionTo: r.exceptionTo,
            overrides: r.overrides ? true : undefined,
            lets: r.lets.length > 0 ? r.lets.map(defToPlain) : undefined,
            when: formatExpression(r.when),
            then: withOptional(
              { kind: r.then.kind },
              {
                severity: r.then.severity,
                message: withOptional({ zh: r.then.message.zh }, { en: r.then.message.en }),
                consequences: r.then.consequences.length > 0 ? r.then.consequences : undefined,
                compute: r.then.computed.length > 0 ? r.then.computed.map(defToPlain) : undefined,
              },
            ),
          },
        ),
      ),
      disabled: ast.disabled.length > 0 ? ast.disabled.map((d) => ({ rule: d.rule, reason: d.reason })) : undefined,
      complete: ast.complete?.length ? ast.complete.map((c) => ({ rules: c.rules, reason: c.reason })) : undefined,
      tables: ast.tables?.length ? ast.tables.map(tableToPlain) : undefined,
      scorecards: ast.scorecards?.length ? ast.scorecards.map(scorecardToPlain) : undefined,
    },
  );
  return stringify(doc, { lineWidth: 0, defaultStringType: 'PLAIN', defaultKeyType: 'PLAIN' });
}
