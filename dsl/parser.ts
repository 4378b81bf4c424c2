/**
 * The grammar, as one reused Chevrotain `CstParser` with error recovery on: after an error the
 * parser inserts or deletes a token or re-synchronises, so one run reports every error in a file
 * and still yields a (partial) tree.
 *
 * The grammar follows docs/language.md. Expressions, loosest first:
 *   expression  := ifExpr | orExpr
 *   orExpr      := andExpr (or andExpr)*
 *   andExpr     := notExpr (and notExpr)*
 *   notExpr     := not notExpr | comparison
 *   comparison  := additive ( cmpOp additive | between additive bound? and additive bound?
 *                           | in list | not in list )?
 *   additive    := multiplicative ((+|-) multiplicative)*
 *   multiplicative := unary ((*|/) unary)*
 *   unary       := - unary | primary
 *   primary     := literal | as_of | name | call | ( expression )
 * `between`'s bounds are additive expressions, so its `and` never clashes with logical `and`.
 */
import { CstParser, EOF, type CstNode, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import { MAX_PARSE_DEPTH } from './depth.ts';
import * as T from './tokens.ts';

/**
 * Thrown when nesting passes MAX_DEPTH, before Chevrotain recurses deep enough to overflow the
 * stack. Not a recognition exception, so Chevrotain's recovery lets it through to parse.ts.
 */
export class TooDeepError extends Error {
  constructor(
    readonly token: IToken,
    readonly what: 'expression' | 'list',
  ) {
    super('nesting too deep');
    this.name = 'TooDeepError';
  }
}

/** What the error message provider records; toAst turns it into a Diagnostic. */
export interface ParseErrorDetail {
  kind: 'mismatch' | 'no-viable' | 'early-exit' | 'redundant';
  expected: string[];
  rule: string;
}

function labelOf(t: TokenType): string {
  return t === EOF ? 'end of file' : (t.LABEL ?? t.name);
}

function firstTokens(paths: TokenType[][]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const first = p[0];
    if (first !== undefined && !out.includes(labelOf(first))) out.push(labelOf(first));
  }
  return out;
}

/** Messages are JSON so the structured detail survives Chevrotain's string-typed error message. */
const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, ruleName }) =>
    JSON.stringify({ kind: 'mismatch', expected: [labelOf(expected)], rule: ruleName } satisfies ParseErrorDetail),
  buildNotAllInputParsedMessage: ({ ruleName }) =>
    JSON.stringify({ kind: 'redundant', expected: [], rule: ruleName } satisfies ParseErrorDetail),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    JSON.stringify({
      kind: 'no-viable',
      expected: firstTokens(expectedPathsPerAlt.flat()),
      rule: ruleName,
    } satisfies ParseErrorDetail),
  buildEarlyExitMessage: ({ expectedIterationPaths, ruleName }) =>
    JSON.stringify({ kind: 'early-exit', expected: firstTokens(expectedIterationPaths), rule: ruleName } satisfies ParseErrorDetail),
};

const COMPARE_OPS = [T.EqEq, T.NotEq, T.LessEq, T.GreaterEq, T.Less, T.Greater];

export class PolicyParser extends CstParser {
  /** Tokens before which the parser inserted a missing token while recovering (see `tryInRuleRecovery`). */
  insertedBefore = new Set<IToken>();
  /** Nesting levels open in the current parse (see `nested`); parse.ts resets it with the input. */
  depth = 0;

  constructor() {
    super(T.ALL_TOKENS, { recoveryEnabled: true, nodeLocationTracking: 'full', errorMessageProvider, maxLookahead: 3 });
    // Chevrotain does not say whether a mismatch was repaired by inserting the expected token;
    // recording it lets toAst report `dsl.missing-token` ("missing `then`") instead of a vaguer error.
    // The method is internal to Chevrotain's recovery trait, hence the cast.
    const self = this as unknown as { tryInRuleRecovery(t: TokenType, f: TokenType[]): IToken };
    const original = self.tryInRuleRecovery.bind(this);
    self.tryInRuleRecovery = (expected, follows) => {
      const tok = original(expected, follows);
      if (tok.isInsertedInRecovery) this.insertedBefore.add(this.LA(1));
      return tok;
    };
    this.performSelfAnalysis();
  }

  /**
   * Runs `body` one nesting level deeper, refusing past MAX_DEPTH. Every recursive cycle of the
   * grammar goes through one of these (expression, not, unary minus, list type), so parser depth
   * is bounded by MAX_PARSE_DEPTH. ACTION: Chevrotain's grammar recording replays rule bodies and must skip this.
   */
  private nested(what: 'expression' | 'list', body: () => void): void {
    this.ACTION(() => {
      if (++this.depth > MAX_PARSE_DEPTH) throw new TooDeepError(this.LA(1), what);
    });
    try {
      body();
    } finally {
      this.ACTION(() => {
        this.depth--;
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // File structure

  policyFile = this.RULE('policyFile', () => {
    this.SUBRULE(this.header);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.factsSection) },
        { ALT: () => this.SUBRULE(this.parameterDecl) },
        { ALT: () => this.SUBRULE(this.letDecl) },
        { ALT: () => this.SUBRULE(this.ruleDecl) },
        { ALT: () => this.SUBRULE(this.disableDecl) },
        { ALT: () => this.SUBRULE(this.completeDecl) },
        { ALT: () => this.SUBRULE(this.tableDecl) },
        { ALT: () => this.SUBRULE(this.scorecardDecl) },
      ]);
    });
  });

  header = this.RULE('header', () => {
    this.CONSUME(T.Policy);
    this.CONSUME(T.StringLit);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.titleClause) },
        { ALT: () => this.SUBRULE(this.jurisdictionClause) },
        { ALT: () => this.SUBRULE(this.versionClause) },
        { ALT: () => this.SUBRULE(this.effectiveClause) },
        { ALT: () => this.SUBRULE(this.extendsClause) },
        { ALT: () => this.SUBRULE(this.supersedesClause) },
        { ALT: () => this.SUBRULE(this.sourceClause) },
      ]);
    });
  });

  titleClause = this.RULE('titleClause', () => {
    this.CONSUME(T.Title);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
  });

  enText = this.RULE('enText', () => {
    this.CONSUME(T.En);
    this.CONSUME(T.StringLit);
  });

  jurisdictionClause = this.RULE('jurisdictionClause', () => {
    this.CONSUME(T.Jurisdiction);
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.StringLit) }]);
  });

  versionClause = this.RULE('versionClause', () => {
    this.CONSUME(T.Version);
    this.CONSUME(T.StringLit);
  });

  effectiveClause = this.RULE('effectiveClause', () => {
    this.CONSUME(T.Effective);
    this.CONSUME(T.From);
    this.CONSUME(T.DateLit, { LABEL: 'from' });
    this.OPTION(() => {
      this.CONSUME(T.Until);
      this.CONSUME2(T.DateLit, { LABEL: 'until' });
    });
  });

  extendsClause = this.RULE('extendsClause', () => {
    this.CONSUME(T.Extends);
    this.CONSUME(T.StringLit);
  });

  supersedesClause = this.RULE('supersedesClause', () => {
    this.CONSUME(T.Supersedes);
    this.CONSUME(T.StringLit);
  });

  sourceClause = this.RULE('sourceClause', () => {
    this.CONSUME(T.Source);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit, { LABEL: 'title' });
    this.OPTION(() => {
      this.CONSUME(T.DocNumber);
      this.CONSUME2(T.StringLit, { LABEL: 'number' });
    });
  });

  // ---------------------------------------------------------------------------------------------
  // Declarations

  factsSection = this.RULE('factsSection', () => {
    this.CONSUME(T.Facts);
    this.MANY(() => this.SUBRULE(this.factDecl));
  });

  factDecl = this.RULE('factDecl', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    // `personal` / `subject` marks after the type: a mark word not followed by a label (a name
    // followed by a label starts the next fact, so a fact may still be called `personal`).
    this.MANY({
      GATE: () => T.FACT_MARK_BY_WORD.has(this.LA(1).image) && this.LA(2).tokenType !== T.StringLit,
      DEF: () => this.CONSUME2(T.Identifier, { LABEL: 'mark' }),
    });
  });

  typeRef = this.RULE('typeRef', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Enum);
          this.CONSUME(T.LCurly);
          this.MANY(() => {
            this.SUBRULE(this.enumValue);
            this.OPTION(() => this.CONSUME(T.Comma));
          });
          this.CONSUME(T.RCurly);
        },
      },
      {
        ALT: () =>
          this.nested('list', () => {
            this.CONSUME(T.ListOf);
            this.CONSUME2(T.LCurly);
            this.MANY2(() => this.SUBRULE(this.factDecl));
            this.CONSUME2(T.RCurly);
          }),
      },
      { ALT: () => this.CONSUME(T.Identifier) },
      // `number` is a keyword (文号) and a type name.
      { ALT: () => this.CONSUME(T.DocNumber) },
    ]);
  });

  enumValue = this.RULE('enumValue', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Identifier) }, { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'value' }) }]);
    this.CONSUME2(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
  });

  parameterDecl = this.RULE('parameterDecl', () => {
    this.CONSUME(T.Parameter);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.CONSUME(T.Colon);
    this.SUBRULE(this.typeRef);
    this.MANY(() => this.SUBRULE(this.parameterValue));
  });

  parameterValue = this.RULE('parameterValue', () => {
    this.SUBRULE(this.literal);
    this.CONSUME(T.From);
    this.CONSUME(T.DateLit);
    this.OPTION(() => this.SUBRULE(this.citesClause));
  });

  /**
   * A parameter value: a literal, possibly negative. A name here is read so toAst can say what a
   * value may be (`dsl.parameter-not-literal`) instead of a bare "unexpected token".
   */
  literal = this.RULE('literal', () => {
    this.OPTION(() => this.CONSUME(T.Minus));
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.BadNumber) },
      { ALT: () => this.CONSUME(T.CnFraction) },
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'notLiteral' }) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.DateLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  letDecl = this.RULE('letDecl', () => {
    this.CONSUME(T.Let);
    this.SUBRULE(this.namedExpr);
  });

  /** `<name> ["label"] [en "label"] = <expr>`, shared by `let` and `compute`. */
  namedExpr = this.RULE('namedExpr', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.CONSUME(T.StringLit));
    this.OPTION2(() => this.SUBRULE(this.enText));
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  disableDecl = this.RULE('disableDecl', () => {
    this.CONSUME(T.Disable);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Because);
    this.CONSUME(T.StringLit);
  });

  /** `complete r1, r2 because "…"`: on every fact set one of these rules fires (checked for gaps). */
  completeDecl = this.RULE('completeDecl', () => {
    this.CONSUME(T.Complete);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.Identifier) });
    this.CONSUME(T.Because);
    this.CONSUME(T.StringLit);
  });

  // ---------------------------------------------------------------------------------------------
  // Rules

  ruleDecl = this.RULE('ruleDecl', () => {
    this.CONSUME(T.Rule);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.citesClause) },
        { ALT: () => this.SUBRULE(this.exceptionClause) },
        { ALT: () => this.CONSUME(T.Overrides) },
        { ALT: () => this.SUBRULE(this.letDecl) },
      ]);
    });
    this.CONSUME(T.When);
    this.SUBRULE(this.expression);
    this.CONSUME(T.Then);
    this.SUBRULE(this.outcome);
  });

  citesClause = this.RULE('citesClause', () => {
    this.CONSUME(T.Cites);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit, { LABEL: 'article' });
    this.OPTION(() => {
      this.CONSUME(T.Quote);
      this.CONSUME2(T.StringLit, { LABEL: 'quote' });
    });
  });

  exceptionClause = this.RULE('exceptionClause', () => {
    this.CONSUME(T.ExceptionTo);
    this.CONSUME(T.Identifier);
  });

  outcome = this.RULE('outcome', () => {
    this.CONSUME(T.Identifier, { LABEL: 'kind' });
    this.OPTION(() => {
      this.CONSUME(T.Severity);
      this.CONSUME2(T.Identifier, { LABEL: 'severity' });
    });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.messageClause) },
        { ALT: () => this.SUBRULE(this.consequencesClause) },
        { ALT: () => this.SUBRULE(this.computeClause) },
      ]);
    });
  });

  messageClause = this.RULE('messageClause', () => {
    this.CONSUME(T.Message);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
  });

  consequencesClause = this.RULE('consequencesClause', () => {
    this.CONSUME(T.Consequences);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.CONSUME(T.StringLit) });
  });

  computeClause = this.RULE('computeClause', () => {
    this.CONSUME(T.Compute);
    this.SUBRULE(this.namedExpr);
  });

  // ---------------------------------------------------------------------------------------------
  // Decision tables and scorecards (kept in their own rules: other grammar work merges around them)

  /** `table <id> "<title>" [en "…"]` then its `hit`, `columns`, rows and `complete because`, in any order. */
  tableDecl = this.RULE('tableDecl', () => {
    this.CONSUME(T.Table);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.hitClause) },
        { ALT: () => this.SUBRULE(this.columnsClause) },
        { ALT: () => this.SUBRULE(this.tableRow) },
        { ALT: () => this.SUBRULE(this.tableComplete) },
      ]);
    });
  });

  /** `hit first`, `hit unique`, `hit collect sum`: the words are names, read by toAst. */
  hitClause = this.RULE('hitClause', () => {
    this.CONSUME(T.Hit);
    this.CONSUME(T.Identifier, { LABEL: 'policy' });
    this.OPTION(() => this.CONSUME2(T.Identifier, { LABEL: 'aggregate' }));
  });

  columnsClause = this.RULE('columnsClause', () => {
    this.CONSUME(T.Columns);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
  });

  tableComplete = this.RULE('tableComplete', () => {
    this.CONSUME(T.Complete);
    this.CONSUME(T.Because);
    this.CONSUME(T.StringLit);
  });

  /** `row [<id>]: <cell>, … [gives <expr>] [cites …] [then <outcome>]`. */
  tableRow = this.RULE('tableRow', () => {
    this.CONSUME(T.Row);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.CONSUME(T.Colon);
    this.AT_LEAST_ONE_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.tableCell) });
    this.OPTION2(() => {
      this.CONSUME(T.Gives);
      this.SUBRULE(this.expression);
    });
    this.OPTION3(() => this.SUBRULE(this.citesClause));
    this.OPTION4(() => {
      this.CONSUME(T.Then);
      this.SUBRULE(this.outcome);
    });
  });

  /** A unary test on the cell's column; a bare value means `==`, the name `any`/`任意` any value. */
  tableCell = this.RULE('tableCell', () => {
    this.OR([
      {
        ALT: () => {
          this.OR2(COMPARE_OPS.map((op) => ({ ALT: () => this.CONSUME(op, { LABEL: 'op' }) })));
          this.SUBRULE(this.additive, { LABEL: 'value' });
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Between);
          this.SUBRULE2(this.additive, { LABEL: 'low' });
          this.OPTION(() => this.SUBRULE(this.bound, { LABEL: 'lowBound' }));
          this.CONSUME(T.And);
          this.SUBRULE3(this.additive, { LABEL: 'high' });
          this.OPTION2(() => this.SUBRULE2(this.bound, { LABEL: 'highBound' }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.In);
          this.SUBRULE(this.optionList);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.NotIn);
          this.SUBRULE2(this.optionList);
        },
      },
      { ALT: () => this.SUBRULE4(this.additive, { LABEL: 'value' }) },
    ]);
  });

  /** `scorecard <id> "<title>" [en "…"]`, its indicators and its grade bands. */
  scorecardDecl = this.RULE('scorecardDecl', () => {
    this.CONSUME(T.Scorecard);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.indicatorDecl) }, { ALT: () => this.SUBRULE(this.gradesClause) }]);
    });
  });

  indicatorDecl = this.RULE('indicatorDecl', () => {
    this.CONSUME(T.Indicator);
    this.CONSUME(T.Identifier);
    this.CONSUME(T.StringLit);
    this.OPTION(() => this.SUBRULE(this.enText));
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.columnsClause) }, { ALT: () => this.SUBRULE(this.tableRow) }]);
    });
  });

  gradesClause = this.RULE('gradesClause', () => {
    this.CONSUME(T.Grades);
    this.MANY(() => this.SUBRULE(this.tableRow));
  });

  // ---------------------------------------------------------------------------------------------
  // Expressions

  expression = this.RULE('expression', () => {
    this.nested('expression', () => {
      this.OR([{ ALT: () => this.SUBRULE(this.ifExpr) }, { ALT: () => this.SUBRULE(this.orExpr) }]);
    });
  });

  ifExpr = this.RULE('ifExpr', () => {
    this.CONSUME(T.If);
    this.SUBRULE(this.expression, { LABEL: 'cond' });
    this.CONSUME(T.Then);
    this.SUBRULE2(this.expression, { LABEL: 'then' });
    this.CONSUME(T.Else);
    this.SUBRULE3(this.expression, { LABEL: 'else' });
  });

  orExpr = this.RULE('orExpr', () => {
    this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.andExpr);
    });
  });

  andExpr = this.RULE('andExpr', () => {
    this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.notExpr);
    });
  });

  notExpr = this.RULE('notExpr', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.nested('expression', () => this.SUBRULE(this.notExpr));
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  comparison = this.RULE('comparison', () => {
    this.SUBRULE(this.additive, { LABEL: 'value' });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2(COMPARE_OPS.map((op) => ({ ALT: () => this.CONSUME(op, { LABEL: 'op' }) })));
            this.SUBRULE2(this.additive, { LABEL: 'right' });
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Between);
            this.SUBRULE3(this.additive, { LABEL: 'low' });
            this.OPTION2(() => this.SUBRULE(this.bound, { LABEL: 'lowBound' }));
            this.CONSUME(T.And);
            this.SUBRULE4(this.additive, { LABEL: 'high' });
            this.OPTION3(() => this.SUBRULE2(this.bound, { LABEL: 'highBound' }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.In);
            this.SUBRULE(this.optionList);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.NotIn);
            this.SUBRULE2(this.optionList);
          },
        },
      ]);
    });
  });

  bound = this.RULE('bound', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Inclusive) }, { ALT: () => this.CONSUME(T.Exclusive) }]);
  });

  optionList = this.RULE('optionList', () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression) });
    this.CONSUME(T.RBracket);
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Minus, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Star, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Slash, { LABEL: 'op' }) }]);
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus);
          this.nested('expression', () => this.SUBRULE(this.unary));
        },
      },
      { ALT: () => this.SUBRULE(this.primary) },
    ]);
  });

  primary = this.RULE('primary', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      { ALT: () => this.CONSUME(T.BadNumber) },
      { ALT: () => this.CONSUME(T.CnFraction) },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.DateLit) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.CONSUME(T.AsOf) },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier);
          this.OPTION(() => this.SUBRULE(this.callArgs));
        },
      },
    ]);
  });

  callArgs = this.RULE('callArgs', () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'args' }) });
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE2(this.expression, { LABEL: 'where' });
    });
    this.CONSUME(T.RParen);
  });
}

/** The one parser instance; Chevrotain parsers are built once and fed new input for each parse. */
export const parser = new PolicyParser();

export type { CstNode };
