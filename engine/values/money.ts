/**
 * Money is held as an integer number of fen so sums are exact. Products and quotients with plain
 * numbers are rounded half away from zero to the fen, as the language reference says.
 */

/**
 * Rounds half away from zero. The argument is first cut to 15 significant digits so binary noise
 * (1.15 × 100 = 114.99999999999999) does not decide a half: 15 digits is what a double holds
 * exactly for decimal input.
 */
export function roundHalfAway(x: number): number {
  if (!Number.isFinite(x)) return x;
  const clean = Number(x.toPrecision(15));
  const r = Math.floor(Math.abs(clean) + 0.5);
  return clean < 0 ? -r : r;
}

/** Yuan (number or decimal string with at most two decimals) to fen, exactly. Undefined if not money. */
export function yuanToFen(yuan: number | string): number | undefined {
  const text = typeof yuan === 'number' ? numberToPlain(yuan) : yuan.trim();
  if (text === undefined) return undefined;
  const m = /^([+-]?)(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return undefined;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) return undefined;
  return m[1] === '-' ? -fen : fen;
}

/** A finite number as plain decimal text (no exponent), shortest round-trip form. */
function numberToPlain(n: number): string | undefined {
  if (!Number.isFinite(n)) return undefined;
  const s = String(n);
  if (!/e/i.test(s)) return s;
  // Exponent form only appears for |n| < 1e-6 or ≥ 1e21: neither is a valid money amount to the fen
  // except 0-like tiny values, which are not exact fen either.
  return undefined;
}

/** Fen to an exact yuan string with two decimals: 123450 → "1234.50", -5 → "-0.05". */
export function fenToYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  return `${sign}${yuan}.${String(cents).padStart(2, '0')}`;
}

/** money × number, rounded to the fen. */
export function mulMoney(fen: number, factor: number): number {
  return roundHalfAway(fen * factor);
}

/** money ÷ number, rounded to the fen; the caller checks for a zero divisor. */
export function divMoney(fen: number, divisor: number): number {
  return roundHalfAway(fen / divisor);
}

/** round(money): to the whole yuan, half away from zero. */
export function roundMoneyToYuan(fen: number): number {
  return roundHalfAway(fen / 100) * 100;
}
