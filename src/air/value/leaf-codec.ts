// The contract every primitive kind implements (one file per kind under kinds/).
import type { CborValue } from '../../cbor/index.ts';
import { describeJson } from './json-shape.ts';
import { fail } from './site.ts';
import type { Site } from './site.ts';

/** Reads and writes the values of one primitive kind in both JSON lenses and as CBOR data. */
export interface LeafCodec {
  /** The key that wraps this kind in the canonical (tagged) JSON lens: `{"nat": 42}`. */
  readonly canonicalTag: string;
  /** What a value of this kind looks like, for "expected …" in messages. */
  readonly expected: string;
  /** Reads the sugar lens (plain JSON). */
  fromSugar(json: unknown, site: Site): CborValue;
  /** Reads the body of a canonical-lens wrapper. */
  fromCanonical(body: unknown, site: Site): CborValue;
  /** Checks and canonicalises decoded CBOR data. */
  fromCbor(value: CborValue, site: Site): CborValue;
  /** Writes a canonical value in the sugar lens. */
  toSugar(value: CborValue): unknown;
  /** Writes a canonical value as the body of its canonical-lens wrapper. */
  toCanonical(value: CborValue): unknown;
}

/** Refuses input of the wrong shape, saying what was found and what the kind expects. */
export function mismatch(site: Site, found: unknown, expected: string): never {
  fail(site, 'VALUE_MISMATCH', `found ${describeJson(found)}; expected ${expected}`);
}
