/**
 * The formatter's layout rules at their boundaries: display width, the 100-column limit for
 * `and`/`or` chains and `in` lists, the enum rule (more than 3 values or wider than 60 columns),
 * blank lines kept between facts, and the readability parentheses.
 */
import { describe, expect, it } from 'vitest';
import { displayWidth, formatPolicy, parsePolicy } from '../../dsl/index.ts';

const HEADER = `policy "a/b"
  title "t"
  jurisdiction a
  version "1"
  effective from 2020-01-01
`;

/** Formats `body` after a fixed header and returns what follows the header block. */
function body(text: string, lang: 'en' | 'zh' = 'en'): string {
  const parsed = parsePolicy(HEADER + '\n' + text);
  expect(parsed.diagnostics).toEqual([]);
  const out = formatPolicy(parsed.value!, { lang });
  return out.slice(out.indexOf('\n\n') + 2);
}

/** A name of `n` ASCII letters. */
const name = (n: number, c = 'a') => c.repeat(n);

describe('displayWidth', () => {
  it.each([
    ['abc', 3],
    ['贷款金额', 8],
    ['“中文引号”', 10],
    ['（全角）', 8],
    ['a贷b', 4],
    ['', 0],
  ])('%s is %i columns', (s, w) => expect(displayWidth(s)).toBe(w));
});

describe('layout rules', () => {
  // `let x = ` is 8 columns; each ` and b…` adds 5 + the name.
  const chainOf = (width: number) => {
    const last = width - 8 - name(10).length - ' and '.length;
    return `let x = ${name(10)} and ${name(last, 'b')}\n`;
  };

  it.each([
    { note: 'a chain ending at column 100 stays on one line', text: chainOf(100), want: chainOf(100) },
    {
      note: 'a chain ending at column 101 is broken before each operator',
      text: chainOf(101),
      want: `let x = ${name(10)}\n  and ${name(101 - 8 - 15, 'b')}\n`,
    },
    {
      note: 'Chinese characters count two columns',
      text: `let x = 贷款金额 > 0 and ${'贫'.repeat(40)}\n`,
      want: `let x = 贷款金额 > 0\n  and ${'贫'.repeat(40)}\n`,
    },
    {
      note: 'an and-chain inside an or keeps its parentheses, and wraps one step further in',
      text: `let x = (${name(30)} and ${name(30, 'b')} and ${name(30, 'c')}) or d\n`,
      want: `let x = (${name(30)}\n    and ${name(30, 'b')}\n    and ${name(30, 'c')})\n  or d\n`,
    },
    {
      note: 'a long in-list puts one item a line, the bracket back at the line it opened on',
      text: `rule r "r"\n  when x in ["${name(30)}", "${name(30, 'b')}", "${name(30, 'c')}"]\n  then notice\n    message "m"\n`,
      want: `rule r "r"\n  when x in [\n    "${name(30)}",\n    "${name(30, 'b')}",\n    "${name(30, 'c')}"\n  ]\n  then notice\n    message "m"\n`,
    },
    {
      note: 'what follows a list on its line does not make it wrap; nothing else is wrapped',
      text: `let x = if y in ["a", "b"] then ${name(50)} else ${name(50, 'b')}\n`,
      want: `let x = if y in ["a", "b"] then ${name(50)} else ${name(50, 'b')}\n`,
    },
    {
      note: 'not over a comparison keeps its parentheses',
      text: 'let x = not (a between 1 and 2) and not b\n',
      want: 'let x = not (a between 1 inclusive and 2 inclusive) and not b\n',
    },
    {
      note: 'definitions are a blank line apart',
      text: 'let x = 1\nlet y = 2\n',
      want: 'let x = 1\n\nlet y = 2\n',
    },
  ])('$note', ({ text, want }) => expect(body(text)).toBe(want));

  it.each([
    { note: 'three short values stay on one line', values: 'a "A", b "B", c "C"', block: false },
    { note: 'four values go one a line', values: 'a "A", b "B", c "C", d "D"', block: true },
    { note: 'three values wider than 60 columns go one a line', values: `a "${'长'.repeat(12)}", b "${'长'.repeat(12)}", c "C"`, block: true },
  ])('enum: $note', ({ values, block }) => {
    const out = body(`facts\n  f "f": enum { ${values} }\n`);
    expect(out.includes('enum {\n'), out).toBe(block);
  });

  it('keeps one blank line where the author left blank lines between facts, none elsewhere', () => {
    const out = body('facts\n\n  a "a": boolean\n  b "b": boolean\n\n\n\n  # c\n  c "c": boolean\n');
    expect(out).toBe('facts\n  a "a": boolean\n  b "b": boolean\n\n  # c\n  c "c": boolean\n');
  });

  it('wraps the same way with Chinese keywords', () => {
    const out = body(`定义 x = ${name(45)} 且 ${name(45, 'b')} 且 c\n`, 'zh');
    expect(out).toBe(`定义 x = ${name(45)}\n  且 ${name(45, 'b')}\n  且 c\n`);
  });
});
