/**
 * The policy bundle as data, shared by the server that signs it and the client that checks it:
 * the versions of one policy in force or scheduled, with the versions of the policies it extends,
 * as IR (never code). The signature is Ed25519 over the bundle's canonical JSON (keys sorted, no
 * whitespace), so any byte changed in transit or in the cache fails the check.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../engine/ir/hash.ts';
import type { PolicyIR } from '../../engine/ir/types.ts';

export const BUNDLE_FORMAT = 'tiaowen.bundle/1';

export interface BundleVersion {
  policyId: string;
  version: string;
  /** sha256 of the version's canonical IR (as published; bases are not merged in). */
  hash: string;
  effectiveFrom: string;
  effectiveUntil?: string;
  ir: PolicyIR;
}

export interface Bundle {
  format: typeof BUNDLE_FORMAT;
  /** `jurisdiction/topic`. */
  policy: string;
  /** The policy's versions in force or scheduled on `issuedFor`, by effectiveFrom. */
  versions: BundleVersion[];
  /** Every version of each policy the versions extend (directly or not): bases resolve by date too. */
  bases: BundleVersion[];
  /** The day (Asia/Shanghai) the server chose the versions for; part of the signed content. */
  issuedFor: string;
}

export interface SignedBundle {
  bundle: Bundle;
  /** Ed25519 over `bundleBytes(bundle)`, base64. */
  signature: string;
  /** sha256 (hex, first 16) of the public key's DER, so a client sees a key rotation for what it is. */
  keyId: string;
}

/** The bytes signed: the bundle's canonical JSON as UTF-8. */
export function bundleBytes(bundle: Bundle): Buffer {
  return Buffer.from(canonicalJson(bundle), 'utf8');
}

/** A public key as PEM (SPKI) text, or a KeyObject. */
export function publicKeyOf(key: string | KeyObject): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}

/** True when `signed.signature` is the key's Ed25519 signature of the bundle's canonical bytes. */
export function verifyBundle(signed: SignedBundle, key: string | KeyObject): boolean {
  if (!signed || typeof signed.signature !== 'string' || !signed.bundle || signed.bundle.format !== BUNDLE_FORMAT) return false;
  try {
    return verify(null, bundleBytes(signed.bundle), publicKeyOf(key), Buffer.from(signed.signature, 'base64'));
  } catch {
    return false;
  }
}
