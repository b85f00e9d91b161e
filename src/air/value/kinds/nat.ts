// nat: an unsigned 64-bit integer.
import { integerCodec, U64_RANGE_MAX } from './integer.ts';

export const nat = integerCodec('nat', { kind: 'nat', min: 0n, max: U64_RANGE_MAX }, 'a nat: an integer ≥ 0 (write one beyond 2^53 as a string of digits)');
