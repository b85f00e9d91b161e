// The table from primitive kind to codec: the compiler rejects it until it covers every kind.
import type { PrimitiveKind } from '../type-ast.ts';
import type { LeafCodec } from './leaf-codec.ts';
import { bool } from './kinds/bool.ts';
import { bytes } from './kinds/bytes.ts';
import { dec128 } from './kinds/dec128.ts';
import { duration } from './kinds/duration.ts';
import { hash } from './kinds/hash.ts';
import { int } from './kinds/int.ts';
import { nat } from './kinds/nat.ts';
import { text } from './kinds/text.ts';
import { time } from './kinds/time.ts';
import { unit } from './kinds/unit.ts';
import { uuid } from './kinds/uuid.ts';

/** Codecs of the primitive kinds. */
export const LEAF_CODECS = { bool, int, nat, dec128, bytes, text, time, duration, hash, uuid, unit } satisfies Record<PrimitiveKind, LeafCodec>;
