// The sys/vault.put@1 and sys/vault.rotate@1 adapter over the node's vault. It lives in node,
// not adapters, because it needs the node's vault (adapters may not import node).
//
// vault.put params carry no value, only value_ref: the hash of a blob in the world's CAS. The
// journal therefore holds hashes of the value (value_ref, expected_digest, the receipt's
// digest), never the value; but the value itself is a plain blob in the world's CAS, put there
// by whoever made the ref. Prefer `aos vault put`, which never touches the CAS.
// vault.put reads the blob, checks its sha256 against expected_digest, and stores it as the
// binding's next version, made active. vault.rotate carries no value either: it makes an
// existing version of the binding active, after checking that version's digest.
// Neither receipt schema has a field for a reason: error receipts carry version 0 and ZERO_HASH.
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapters/index.ts';
import { assert, hashBytes, InvariantError, isCborObject, isHash, ZERO_HASH } from '../cbor/index.ts';
import type { CborObject, CborValue, Hash } from '../cbor/index.ts';
import { builtinCatalog, AirError, valueFromCbor } from '../air/index.ts';
import { NodeError } from './errors.ts';
import { VAULT_VALUE_BYTES_MAX } from './limits.ts';
import type { Vault } from './vault.ts';

/** The effect that stores a secret value in the vault. */
export const VAULT_PUT_EFFECT = 'sys/vault.put@1';
/** The effect that makes a stored version active. */
export const VAULT_ROTATE_EFFECT = 'sys/vault.rotate@1';
/** The adapter_id of a vault adapter built without one. */
export const VAULT_ADAPTER_ID_DEFAULT = 'vault.default';

/** Executes vault.put and vault.rotate against one vault. */
export class VaultAdapter implements Adapter {
  readonly id: string;
  readonly kinds: readonly string[] = [VAULT_PUT_EFFECT, VAULT_ROTATE_EFFECT];
  readonly #vault: Vault;

  constructor(vault: Vault, options: { readonly id?: string } = {}) {
    this.#vault = vault;
    this.id = options.id ?? VAULT_ADAPTER_ID_DEFAULT;
    if (this.id === '') throw new NodeError('VAULT_BAD_INPUT', 'a vault adapter needs a non-empty id (the adapter_id of its receipts)');
  }

  async execute(intent: AdapterIntent, context: AdapterContext): Promise<AdapterOutcome> {
    assert(this.kinds.includes(intent.effect_kind), `the executor routes only ${this.kinds.join(' and ')} to the vault adapter, not ${intent.effect_kind}`);
    const put = intent.effect_kind === VAULT_PUT_EFFECT;
    const params = readParams(intent, put ? 'sys/VaultPutParams@1' : 'sys/VaultRotateParams@1');
    if (params === null) return failure('', '');
    const alias = text(params, 'alias');
    const bindingId = text(params, 'binding_id');
    try {
      const stored = put ? this.#put(params, bindingId, context, intent) : this.#rotate(params, bindingId);
      if (stored === null) return failure(alias, bindingId);
      return { status: 'ok', payload: { alias, version: stored.version, binding_id: bindingId, digest: stored.digest } };
    } catch (error) {
      // Refusals (bad binding, missing version, digest mismatch, tampered entry) settle as error receipts; disk faults propagate so the intent is retried.
      if (error instanceof NodeError && error.code !== 'VAULT_KEY') return failure(alias, bindingId);
      throw error;
    }
  }

  #put(params: CborObject, bindingId: string, context: AdapterContext, intent: AdapterIntent): { version: number; digest: Hash } | null {
    if (bindingId.startsWith('env:')) return null; // an environment binding cannot be written
    const valueRef = hash(params, 'value_ref');
    let value: Uint8Array;
    try {
      value = context.blobs.get(valueRef);
    } catch (error) {
      if (error instanceof InvariantError) throw error;
      return null; // the blob is not in the CAS: nothing to store
    }
    const digest = hashBytes(value);
    if (digest !== valueRef || digest !== hash(params, 'expected_digest') || value.byteLength > VAULT_VALUE_BYTES_MAX) return null;
    const requestId = Buffer.from(intent.idempotency_key).toString('hex');
    return this.#vault.put(vaultEntry(bindingId), value, requestId);
  }

  #rotate(params: CborObject, bindingId: string): { version: number; digest: Hash } | null {
    if (bindingId.startsWith('env:')) return null;
    const version = params['version'];
    assert(typeof version === 'number' || typeof version === 'bigint', 'a checked version is a nat');
    if (BigInt(version) < 1n || BigInt(version) > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    return this.#vault.activate(vaultEntry(bindingId), Number(version), hash(params, 'expected_digest'));
  }
}

function vaultEntry(bindingId: string): string {
  return bindingId.startsWith('vault:') ? bindingId.slice('vault:'.length) : bindingId;
}

function readParams(intent: AdapterIntent, schema: string): CborObject | null {
  let value: CborValue;
  try {
    value = valueFromCbor(intent.params, { ref: schema }, builtinCatalog(), { def: schema, path: 'params' });
  } catch (error) {
    if (!(error instanceof AirError)) throw error;
    return null; // the kernel journaled canonical params: a misfit is its bug, settled rather than wedged
  }
  assert(isCborObject(value), `${schema} is a record schema`);
  return value;
}

function failure(alias: string, bindingId: string): AdapterOutcome {
  return { status: 'error', payload: { alias, version: 0, binding_id: bindingId, digest: ZERO_HASH } };
}

function text(params: CborObject, name: string): string {
  const value = params[name];
  assert(typeof value === 'string', `the checked field ${name} is text`);
  return value;
}

function hash(params: CborObject, name: string): Hash {
  const value = params[name];
  assert(isHash(value), `the checked field ${name} is a hash`);
  return value;
}
