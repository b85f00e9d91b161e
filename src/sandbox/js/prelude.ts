// Source evaluated in every fresh QuickJS context before the module bundle. It removes or
// replaces every source of nondeterminism and every way to compile code at run time, each
// with a refusal that says what to do instead (STYLE §2.3). Its completion value is the
// `{harden, invoke, takeBytes}`: the runtime calls harden(outputBytesMax) after module init to freeze
// globals and intrinsics (it returns the entry's kind), then invoke(text, blob) for every
// call (prelude-bridge.ts).
import { PRELUDE_BRIDGE_SOURCE } from './prelude-bridge.ts';
import { CBOR_DECODE_GLOBAL, ENTRY_GLOBAL, ENTRY_PROTOCOL, HASH_GLOBAL, RANDOM_GLOBAL, UTF8_DECODE_GLOBAL, UTF8_ENCODE_GLOBAL } from './protocol.ts';

/** Name of the error the prelude's refusals throw. */
export const DETERMINISM_ERROR_NAME = 'DeterminismError';

// The walk of harden(): freezes every object reachable from the global object through own
// properties (values and accessors) and prototypes: ~540 objects and ~1,700 properties
// without a module. Typed arrays with elements cannot be frozen; their prototypes are.
// Only objects and functions are queued. One getOwnPropertyDescriptors call per object
// instead of one getOwnPropertyDescriptor per property: 4.4 ms instead of 6.1 ms here,
// where QuickJS spends ~1.5 µs building each descriptor either way.
const HARDEN_WALK_SOURCE = `
    const seen = new Set();
    const pending = [G];
    while (pending.length > 0) {
      const value = pending.pop();
      if (seen.has(value)) continue;
      seen.add(value);
      if (!isView(value)) freeze(value);
      const proto = getPrototypeOf(value);
      if (proto !== null) pending[pending.length] = proto;
      const descriptors = getOwnPropertyDescriptors(value);
      const keys = ownKeys(descriptors);
      for (let i = 0; i < keys.length; i += 1) {
        const descriptor = descriptors[keys[i]];
        const item = descriptor.value;
        if ((typeof item === 'object' && item !== null) || typeof item === 'function') pending[pending.length] = item;
        if (descriptor.get !== undefined) pending[pending.length] = descriptor.get;
        if (descriptor.set !== undefined) pending[pending.length] = descriptor.set;
      }
    }`;

export const PRELUDE_SOURCE = `"use strict";
(() => {
  const G = globalThis;
  const define = (target, key, value) => Object.defineProperty(target, key, { value, writable: false, enumerable: false, configurable: false });
  class DeterminismError extends Error {}
  define(DeterminismError.prototype, 'name', '${DETERMINISM_ERROR_NAME}');
  const refuse = (name, instead) => function () {
    throw new DeterminismError(name + ' is unavailable in AgentOS modules: ' + instead);
  };

  const RefusedDate = refuse('Date', 'read ctx.now_ns or ctx.logical_now_ns, stamped when the input arrived');
  for (const key of ['now', 'parse', 'UTC']) define(RefusedDate, key, RefusedDate);
  define(G, 'Date', RefusedDate);

  // Math.random works only while a step runs with ctx.entropy (the SDK seeds it); sfc32.
  let a = 0, b = 0, c = 0, d = 0, seeded = false;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0; a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11); c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  define(G, '${RANDOM_GLOBAL}', Object.freeze({
    seed(entropy) {
      const words = [0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x0];
      for (let i = 0; i < entropy.length; i += 1) words[i & 3] = Math.imul(words[i & 3] ^ entropy[i], 0x01000193); // FNV-1a lanes
      [a, b, c, d] = words; seeded = true;
      for (let i = 0; i < 12; i += 1) next();
    },
    clear() { seeded = false; a = b = c = d = 0; },
  }));
  const refusedRandom = refuse('Math.random', 'declare sys/WorkflowContext@1 as the context schema; Math.random is then seeded from ctx.entropy for each step');
  define(Math, 'random', function random() { return seeded ? next() : refusedRandom(); });

  const compile = refuse('Compiling code at run time (eval, Function)', 'bundle all code into the module at build time');
  define(G, 'eval', compile);
  const constructors = [Function, Object.getPrototypeOf(function* () {}).constructor,
    Object.getPrototypeOf(async function () {}).constructor, Object.getPrototypeOf(async function* () {}).constructor];
  for (const Original of constructors) {
    const Refused = refuse('Compiling code at run time (eval, Function)', 'bundle all code into the module at build time');
    Object.defineProperty(Refused, 'prototype', { value: Original.prototype, writable: false });
    define(Original.prototype, 'constructor', Refused);
    if (Original === Function) define(G, 'Function', Refused);
  }

  const timers = 'emit a timer.set effect and handle its receipt';
  for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask']) define(G, name, refuse(name, timers));
  define(G, 'fetch', refuse('fetch', 'emit an http.request effect (effect.http) and handle its receipt'));
  define(G, 'require', refuse('require', 'import the code at build time; aos build bundles it'));
  define(G, 'WeakRef', refuse('WeakRef', 'garbage collection is not deterministic; hold values directly'));
  define(G, 'FinalizationRegistry', refuse('FinalizationRegistry', 'garbage collection is not deterministic'));
  const silent = () => undefined;
  define(G, 'console', Object.freeze({ log: silent, info: silent, warn: silent, error: silent, debug: silent, trace: silent }));

  // The host's natives (host-natives.ts): sha256, the UTF-8 decoder and the CBOR decoder take an
  // ArrayBuffer holding exactly the bytes, the encoder a string; the raw globals go, checked
  // wrappers stay.
  const hostSha256 = G['${HASH_GLOBAL}'], hostUtf8Decode = G['${UTF8_DECODE_GLOBAL}'], hostUtf8Encode = G['${UTF8_ENCODE_GLOBAL}'];
  const hostCborDecode = G['${CBOR_DECODE_GLOBAL}'];
  const sliceOf = ArrayBuffer.prototype.slice, isBytes = (value) => value instanceof Uint8Array, Uint8 = Uint8Array;
  delete G['${HASH_GLOBAL}']; delete G['${UTF8_DECODE_GLOBAL}']; delete G['${UTF8_ENCODE_GLOBAL}']; delete G['${CBOR_DECODE_GLOBAL}'];
  const exactBuffer = (bytes, what) => {
    if (!isBytes(bytes)) throw new TypeError(what + ' takes a Uint8Array');
    const buffer = bytes.buffer, offset = bytes.byteOffset, length = bytes.byteLength;
    return offset === 0 && length === buffer.byteLength ? buffer : apply(sliceOf, buffer, [offset, offset + length]);
  };
  define(G, '${HASH_GLOBAL}', function sha256(bytes) { return hostSha256(exactBuffer(bytes, 'sha256Hash')); });
  // Texts cross as JSON text: the FFI passes C strings, which would end at a NUL character.
  const parseText = JSON.parse, printText = JSON.stringify;
  define(G, '${UTF8_DECODE_GLOBAL}', function utf8Decode(bytes) { return parseText(hostUtf8Decode(exactBuffer(bytes, 'utf8Decode'))); });
  define(G, '${UTF8_ENCODE_GLOBAL}', function utf8Encode(text) {
    if (typeof text !== 'string') throw new TypeError('utf8Encode takes a string');
    return new Uint8(hostUtf8Encode(printText(text)));
  });
  // The host's wire text of the value, revived as invoke() revives inputs (prelude-bridge.ts);
  // undefined when the host leaves the bytes to the SDK's decoder. Dec128 needs the module's
  // Tagged class, bound after module init: a decode during init is left to the SDK too.
  define(G, '${CBOR_DECODE_GLOBAL}', function cborDecode(bytes) {
    const buffer = exactBuffer(bytes, 'cborDecode');
    if (Tagged === null) return undefined;
    const text = hostCborDecode(buffer);
    if (text === null) return undefined;
    const wire = parseText(text);
    const paths = wire[0];
    if (paths !== 0) {
      wire[0] = 0;
      reviveMarkers(wire, paths, buffer);
    }
    return wire[1];
  });

  // Captured before any module code runs, so a module cannot redirect them.
  const apply = Reflect.apply, ownKeys = Reflect.ownKeys, getOwnPropertyDescriptors = Object.getOwnPropertyDescriptors;
  const freeze = Object.freeze, isView = ArrayBuffer.isView;
${PRELUDE_BRIDGE_SOURCE}
  // After module init: binds the entry, then freezes everything reachable from the global
  // object. Returns the entry's kind, 'none' without an entry, or 'stale' for a bundle built
  // by an SDK that speaks another protocol.
  const harden = (outputBytesMax) => {
    const entry = G['${ENTRY_GLOBAL}'];
    if (typeof entry !== 'object' || entry === null || typeof entry.call !== 'function') return 'none';
    if (entry.protocol !== ${ENTRY_PROTOCOL} || typeof entry.Tagged !== 'function') return 'stale';
    const kind = entry.kind === 'workflow' || entry.kind === 'pure' ? entry.kind : 'none';
    bindEntry(entry, outputBytesMax);
${HARDEN_WALK_SOURCE}
    return kind;
  };
  return Object.freeze({ harden, invoke, takeBytes });
})()`;
