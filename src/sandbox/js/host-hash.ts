// The host side of HASH_GLOBAL (protocol.ts): SHA-256 for modules, computed natively. Modules
// hash to name bytes the way the CAS does (blob refs, keys of pending effects); interpreted in
// QuickJS that costs ~1 ms per 100 bytes, which dominated an agent step. The function is pure,
// so steps stay deterministic, and every byte it hashes is charged to the step's fuel, so a
// module that hashes in a loop still meets its budget.
import { hashBytes } from '../../cbor/index.ts';
import { HASH_BYTES_PER_TICK, HASH_CALL_BYTES_CHARGED, STEP_INPUT_BYTES_MAX } from '../limits.ts';
import { HASH_GLOBAL } from './protocol.ts';
import type { QuickJSContext } from './quickjs.ts';

/** Counts the bytes hashed in a step and turns them into ticks of the step's fuel. */
export interface HashFuel {
  /** Charges `bytes`; false once the step is over its budget (it is then interrupted). */
  charge(bytes: number): boolean;
}

/**
 * Sets the global the prelude wraps (and then removes): `(buffer: ArrayBuffer) => hash text`.
 * The prelude checks the argument and passes exactly the bytes to hash.
 */
export function installHostHash(context: QuickJSContext, fuel: HashFuel): void {
  const hash = context.newFunction(HASH_GLOBAL, (bufferHandle) => {
    if (context.typeof(bufferHandle) !== 'object') throw new TypeError(`${HASH_GLOBAL} takes an ArrayBuffer`);
    const view = context.getArrayBuffer(bufferHandle);
    try {
      const bytes = view.value;
      if (bytes.length > STEP_INPUT_BYTES_MAX) throw new RangeError(`sha256Hash of ${bytes.length} bytes: at most ${STEP_INPUT_BYTES_MAX} bytes are hashed at once`);
      if (!fuel.charge(bytes.length + HASH_CALL_BYTES_CHARGED)) throw new RangeError('the step used its instruction budget hashing');
      return context.newString(hashBytes(bytes));
    } finally {
      view.dispose();
    }
  });
  context.setProp(context.global, HASH_GLOBAL, hash);
  hash.dispose();
}

/** Ticks for `bytes` hashed so far in a step (whole ticks; the rest carries over). */
export function hashTicks(bytes: number): number {
  return Math.floor(bytes / HASH_BYTES_PER_TICK);
}
