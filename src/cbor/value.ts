import { Tagged } from 'cborg';

/**
 * A CBOR data item as AgentOS holds it in memory. Integers are numbers when they are safe
 * integers and bigints otherwise; there are no floats. Text-keyed maps are plain objects;
 * maps with other keys are `Map`s. The only tag is dec128 (2000).
 */
export type CborValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly CborValue[]
  | CborMap
  | CborObject
  | CborTagged;

/** A map with at least one non-text key. */
export type CborMap = ReadonlyMap<CborValue, CborValue>;
/** A map whose keys are all text. */
export interface CborObject { readonly [key: string]: CborValue }
/** A tagged item (in AIR, only dec128: tag 2000 around 16 bytes). */
export type CborTagged = Tagged;

export { Tagged };

/** True for a text-keyed map held as a plain object. */
export function isCborObject(value: CborValue): value is CborObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) &&
    !(value instanceof Uint8Array) && !(value instanceof Map) && !(value instanceof Tagged);
}
