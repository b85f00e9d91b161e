// duration: signed integer nanoseconds (i64).
import { I64_RANGE_MAX, I64_RANGE_MIN, integerCodec } from './integer.ts';

export const duration = integerCodec('duration_ns', { kind: 'duration', min: I64_RANGE_MIN, max: I64_RANGE_MAX }, 'a duration: integer nanoseconds (write one beyond 2^53 as a string of digits)');
