// The in-memory form of AIR values inside a module, the same model as src/cbor on the host:
// records are plain objects, ints are numbers when safe and bigints beyond, bytes are
// Uint8Array, dec128 is a Tagged(2000, 16 bytes). This file must stay sandbox-safe.

/** A tagged CBOR item; in AIR only dec128 (tag 2000 around 16 bytes). */
export class Tagged {
  constructor(readonly tag: number, readonly value: AirValue) {}
}

/** Any value the SDK can carry across the sandbox edge as canonical CBOR. */
export type AirValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | readonly AirValue[]
  | ReadonlyMap<AirValue, AirValue>
  | AirRecord
  | Tagged;

/** A text-keyed map: a record, a variant `{$tag, $value}`, or a map with text keys. */
export interface AirRecord { readonly [key: string]: AirValue | undefined }

/** A variant as AIR holds it; `$value` is absent for unit alternatives. */
export interface Variant<Tag extends string = string, Value extends AirValue = AirValue> {
  readonly $tag: Tag;
  readonly $value?: Value;
}
