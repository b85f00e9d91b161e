// The sys/vault.put@1 and sys/vault.rotate@1 adapter over the node's vault. It lives in node,
// not adapters, because it needs the node's vault (adapters may not import node).
//
// vault.put params carry no value, only value_ref (upstream's schema): the journal holds hashes
// of the value (value_ref, expected_digest, the receipt's digest), never the value. Upstream
// resolves value_ref in the world's CAS, which would leave the plaintext unencrypted beside the
// journal (small objects even inside node.sqlite3 and its WAL, where a delete does not erase
// them). So here value_ref names a value staged, sealed, in the vault (`aos vault stage`,
// vault-staging.ts), and only there: the put stores it as the binding's next version, made
// active, and removes the staged copy. A value_ref found only in the world's CAS is refused with
// an error receipt saying so (its plaintext is already exposed there; the put would only hide
// that). A retried put (same idempotency key) returns the version it made, staged copy or not.
// vault.rotate carries no value: it makes an existing version of the binding active, after
// checking that version's digest. Neither receipt schema has a field for a reason: refusals
// carry version 0 and ZERO_HASH, except the CAS refusal, whose error receipt is its message.
import type { Adapter, AdapterContext, AdapterIntent, AdapterOutcome } from '../adapters/index.ts';
import { assert, InvariantError, isCborObject, isHash, ZERO_HASH } from '../cbor/index.ts';
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
      if (typeof stored === 'string') return { status: 'error', payload: stored };
      return { status: 'ok', payload: { alias, version: stored.version, binding_id: bindingId, digest: stored.digest } };
    } catch (error) {
      // Refusals (bad binding, missing version, digest mismatch, tampered entry) settle as error receipts; disk faults propagate so the intent is retried.
      if (error instanceof NodeError && error.code !== 'VAULT_KEY') return failure(alias, bindingId);
      throw error;
    }
  }

  /** The version stored, null for a refusal with the schema's error payload, or a refusal's message. */
  #put(params: CborObject, bindingId: string, context: AdapterContext, intent: AdapterIntent): { version: number; digest: Hash } | string | null {
    if (bindingId.startsWith('env:')) return null; // an environment binding cannot be written
    const name = vaultEntry(bindingId);
    const valueRef = hash(params, 'value_ref');
    const requestId = Buffer.from(intent.idempotency_key).toString('hex');
    const earlier = this.#vault.earlierPut(name, requestId);
    if (earlier !== null) {
      this.#vault.dropStaged(valueRef);
      return earlier;
    }
    if (valueRef !== hash(params, 'expected_digest')) return null;
    const value = this.#vault.staged(valueRef);
    if (value === null) return inCas(context, valueRef) ? casRefusal(valueRef) : null;
    if (value.byteLength > VAULT_VALUE_BYTES_MAX) return null;
    const stored = this.#vault.put(name, value, requestId);
    value.fill(0);
    this.#vault.dropStaged(valueRef);
    return stored;
  }

  #rotate(params: CborObject, bindingId: string): { version: number; digest: Hash } | null {
    if (bindingId.startsWith('env:')) return null;
    const version = params['version'];
    assert(typeof version === 'number' || typeof version === 'bigint', 'a checked version is a nat');
    if (BigInt(version) < 1n || BigInt(version) > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    return this.#vault.activate(vaultEntry(bindingId), Number(version), hash(params, 'expected_digest'));
  }
}

/** True when the world's CAS holds a blob named `ref` (the adapter context reads it; nothing of it is kept). */
function inCas(context: AdapterContext, ref: Hash): boolean {
  try {
    context.blobs.get(ref).fill(0);
    return true;
  } catch (error) {
    if (error instanceof InvariantError) throw error;
    return false;
  }
}

function casRefusal(ref: Hash): string {
  return `vault.put refused: value_ref ${ref} is not staged in the vault but is a blob in the world's CAS, where its plaintext lies unencrypted; `
    + 'stage the value with `aos vault stage --value-stdin` and pass the ref it prints, and remove the CAS copy (it may also be in the journal if a workflow put it there)';
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
