import { SELF_DESCRIBE_PREFIX } from './limits.ts';

/** True when the bytes start with the self-describe tag. */
export function hasSelfDescribePrefix(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xd9 && bytes[1] === 0xd9 && bytes[2] === 0xf7;
}

/** Where the data item starts: after a leading self-describe tag, which is not part of the value. */
export function bodyOffset(bytes: Uint8Array): number {
  return hasSelfDescribePrefix(bytes) ? SELF_DESCRIBE_PREFIX.length : 0;
}
