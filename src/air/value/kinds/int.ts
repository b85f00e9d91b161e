// int: a signed 64-bit integer.
import { I64_RANGE_MAX, I64_RANGE_MIN, integerCodec } from './integer.ts';

export const int = integerCodec('int', { kind: 'int', min: I64_RANGE_MIN, max: I64_RANGE_MAX }, 'an int: an integer (write one beyond 2^53 as a string of digits)');
