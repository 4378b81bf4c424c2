/** Bearer tokens: `tw_<random>`, shown once, stored only as their sha256. */
import { createHash, randomBytes } from 'node:crypto';

export function newToken(): string {
  return `tw_${randomBytes(24).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(s: string): boolean {
  return /^tw_[A-Za-z0-9_-]{16,}$/.test(s);
}
