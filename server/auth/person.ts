/**
 * A token's name is the person it belongs to, and four eyes compares persons, so two spellings
 * of one person must be one person: `alice`, ` alice`, `Alice`, `ａｌｉｃｅ` (full-width) and
 * `alice\t` are the same; a name holding invisible characters (zero-width spaces, direction
 * marks, controls) is refused, since it could only be there to look like someone else.
 */

/** Format (Cf), control (Cc), line/paragraph separators, and other invisible code points. */
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0\u2800]/u;

export type PersonName = { name: string; key: string } | { error: { zh: string; en: string } };

/**
 * The name as shown (NFKC, trimmed, inner whitespace as one space) and the key persons are
 * compared by (that, case-folded). Refuses empty names and names with invisible characters.
 */
export function personName(raw: string): PersonName {
  const name = raw.normalize('NFKC').trim().replace(/\s+/gu, ' ');
  if (!name) return { error: { zh: '名称不能为空', en: 'the name is empty' } };
  // Checked after trimming: leading and trailing whitespace (a tab included) is only trimmed.
  if (INVISIBLE.test(name)) {
    return { error: { zh: '名称含有不可见字符(如零宽空格、方向标记或控制字符)', en: 'the name holds invisible characters (zero-width spaces, direction marks or controls)' } };
  }
  return { name, key: personKey(name) };
}

/** The comparison key of a stored name: NFKC, trimmed, case-folded. Never refuses (old rows). */
export function personKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLocaleLowerCase('und').normalize('NFKC');
}

export function samePerson(a: string, b: string): boolean {
  return personKey(a) === personKey(b);
}
