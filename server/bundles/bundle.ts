/**
 * Policy bundles for systems that decide in their own process (OPA's bundle model): the versions
 * of one policy in force or scheduled, and every version of the policies they extend, as IR
 * signed with the server's Ed25519 key. The key pair lives in the store's meta table, so every
 * instance sharing one PostgreSQL signs with the same key; the first instance to need it makes it
 * (insert-if-absent, then read back: two instances racing end up with the same key).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { VersionRecord } from '../store/store.ts';
import type { Store } from '../store/store.ts';
import { BUNDLE_FORMAT, bundleBytes, type Bundle, type BundleVersion, type SignedBundle } from '../client/format.ts';

const KEY_META = 'bundles.signing-key';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as PEM (SPKI), what clients pin. */
  publicPem: string;
  keyId: string;
}

const keys = new WeakMap<Store, Promise<SigningKey>>();

/** The store's signing key, made on first use and cached per store. */
export function signingKey(store: Store): Promise<SigningKey> {
  let k = keys.get(store);
  if (!k) {
    k = loadKey(store);
    // A failed read is retried on the next request rather than cached.
    k.catch(() => keys.delete(store));
    keys.set(store, k);
  }
  return k;
}

async function loadKey(store: Store): Promise<SigningKey> {
  let pem = await store.getMeta(KEY_META);
  if (!pem) {
    const fresh = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    pem = await store.claimMeta(KEY_META, fresh);
  }
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyId = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
  return { privateKey, publicKey, publicPem, keyId };
}

const entry = (v: VersionRecord): BundleVersion => ({
  policyId: v.policyId,
  version: v.version,
  hash: v.hash,
  effectiveFrom: v.effectiveFrom,
  ...(v.effectiveUntil ? { effectiveUntil: v.effectiveUntil } : {}),
  ir: v.ir,
});

const order = (a: VersionRecord, b: VersionRecord) =>
  a.policyId.localeCompare(b.policyId) || a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version.localeCompare(b.version);

/**
 * The bundle of `policyId` for `today`: its versions not yet expired, and every version of each
 * base reachable through `extends` (a version may pin an old base version, and bases resolve by
 * the decision's date, so all of them go). `undefined` when no version is in force or scheduled.
 */
export function buildBundle(records: VersionRecord[], policyId: string, today: string): Bundle | undefined {
  const own = records.filter((v) => v.policyId === policyId && (!v.effectiveUntil || v.effectiveUntil >= today)).sort(order);
  if (own.length === 0) return undefined;
  const baseIds = new Set<string>();
  const pending = own.map((v) => v.ir.extends?.policy).filter((x): x is string => !!x);
  while (pending.length) {
    const id = pending.pop()!;
    if (baseIds.has(id) || id === policyId) continue;
    baseIds.add(id);
    for (const v of records) if (v.policyId === id && v.ir.extends) pending.push(v.ir.extends.policy);
  }
  const bases = records.filter((v) => baseIds.has(v.policyId)).sort(order);
  return { format: BUNDLE_FORMAT, policy: policyId, versions: own.map(entry), bases: bases.map(entry), issuedFor: today };
}

/** The signed bundle and its strong ETag (the hash of the signed bytes). */
export function signBundle(bundle: Bundle, key: SigningKey): { signed: SignedBundle; etag: string } {
  const bytes = bundleBytes(bundle);
  const signature = sign(null, bytes, key.privateKey).toString('base64');
  const etag = `"${createHash('sha256').update(bytes).update(key.keyId).digest('hex').slice(0, 32)}"`;
  return { signed: { bundle, signature, keyId: key.keyId }, etag };
}
