// The part of the prelude that moves values across the QuickJS edge as JSON (protocol.ts):
// it revives the host's markers in the input and prints the module's output with QuickJS's
// native JSON.stringify, with `toJSON` hooks that turn bytes, bigints, dec128 and non-text
// maps into markers. Interpreted JS costs ~0.2 µs a byte-code step here, so everything that
// scales with the size of a value is left to native code: JSON.parse, JSON.stringify, one
// indexOf scan, ArrayBuffer.slice and Uint8Array.set.
//
// The host trusts nothing this code produces: it re-checks the output's shape, encodability
// and limits. A module that tampers with intrinsics during its init can only garble its own
// output, deterministically.
import { DEC128_TAG, MARKER_KEYS } from './protocol.ts';

const MARKER_PREFIXES = JSON.stringify(MARKER_KEYS.map((key) => `${key}":`));

// invoke() answers with one string, so the host makes one call and reads one string: the
// printed wire tuple (it starts with "["), or that text after a one-letter mode.
/** Mode: the output's byte strings alone exceed the limit (the whole answer). */
export const OUTPUT_MODE_TOO_LARGE = 'L';
/** Mode: record keys that start with "$" were escaped as "$$…". */
export const OUTPUT_MODE_ESCAPED = 'E';
/** Mode: the output holds bytes; takeBytes() hands over the side buffer. */
export const OUTPUT_MODE_BYTES = 'B';
/** Mode: both of the above. */
export const OUTPUT_MODE_ESCAPED_BYTES = 'X';

/**
 * Source spliced into the prelude's closure. It defines `bindEntry(entry, outputBytesMax)`,
 * called by harden(), `invoke(text, blob)`, which answers as above, and `takeBytes()`.
 */
export const PRELUDE_BRIDGE_SOURCE = `
  const parse = JSON.parse, stringify = JSON.stringify, isArray = Array.isArray, arrayFrom = Array.from;
  const getPrototypeOf = Object.getPrototypeOf, keysOf = Object.keys, createObject = Object.create;
  const isSafeInteger = Number.isSafeInteger, toBigInt = BigInt, toText = String, NativeMap = Map, Bytes = Uint8Array;
  const sliceBuffer = ArrayBuffer.prototype.slice, setBytes = Uint8Array.prototype.set, defineProperty = Object.defineProperty;
  const MARKER = Object.freeze(createObject(null));
  const MARKER_PREFIXES = ${MARKER_PREFIXES};
  const TOO_LARGE = Object.freeze(createObject(null));
  const BAD_VALUE = Object.freeze(createObject(null));
  let Tagged = null, entryCall = null, outputBytesMax = 0, rootNames = [];
  let serializing = false, emitted = 0, outList = [], outBytes = 0, outBuffer = null;

  const marker = (key, value) => {
    const made = createObject(MARKER);
    made[key] = value;
    emitted += 1;
    return made;
  };
  const noAirForm = (what, instead) => function () {
    if (!serializing) return this;
    throw new TypeError('the output holds ' + what + ', which has no AIR form: ' + instead);
  };
  define(Uint8Array.prototype, 'toJSON', function () {
    if (!serializing) return this;
    const at = outBytes;
    outBytes += this.length;
    if (outBytes > outputBytesMax) throw TOO_LARGE;
    outList[outList.length] = this;
    return marker('$bytes', [at, this.length]);
  });
  define(BigInt.prototype, 'toJSON', function () { return serializing ? marker('$int', toText(this)) : this; });
  define(Map.prototype, 'toJSON', function () { return serializing ? marker('$map', arrayFrom(this)) : this; });
  define(Object.getPrototypeOf(Uint8Array.prototype), 'toJSON', noAirForm('a typed array other than Uint8Array', 'use Uint8Array'));
  define(Set.prototype, 'toJSON', noAirForm('a Set', 'use a list, or a Map to true'));
  define(ArrayBuffer.prototype, 'toJSON', noAirForm('an ArrayBuffer', 'wrap it in a Uint8Array'));
  define(DataView.prototype, 'toJSON', noAirForm('a DataView', 'use a Uint8Array'));
  define(Function.prototype, 'toJSON', noAirForm('a function', 'return data only'));
  define(Promise.prototype, 'toJSON', noAirForm('a Promise', 'steps are synchronous'));
  define(RegExp.prototype, 'toJSON', noAirForm('a RegExp', 'use its source text'));
  define(Error.prototype, 'toJSON', noAirForm('an Error', 'throw it, or return its message'));
  define(WeakMap.prototype, 'toJSON', noAirForm('a WeakMap', 'use a Map'));
  define(WeakSet.prototype, 'toJSON', noAirForm('a WeakSet', 'use a list'));
  const taggedToJSON = function () {
    if (!serializing) return this;
    if (this.tag !== ${DEC128_TAG} || !(this.value instanceof Bytes) || this.value.length !== 16) {
      throw new TypeError('the output holds a Tagged(' + toText(this.tag) + ') value; only dec128 (tag ${DEC128_TAG} around 16 bytes) exists in AIR');
    }
    return marker('$dec128', this.value);
  };

  // Floats, NaN, ±Infinity and -0 would print as numbers or null without complaint.
  const isAirNumber = (value) => isSafeInteger(value) && (value !== 0 || 1 / value > 0);
  // The replacer runs for every value printed: int32 numbers are checked without a call.
  const checkValue = function (key, value) {
    if (typeof value === 'number') {
      if ((value | 0) === value ? value === 0 && 1 / value < 0 : !isSafeInteger(value)) throw BAD_VALUE;
    } else if (value === undefined ? isArray(this) : typeof value === 'symbol') throw BAD_VALUE;
    return value;
  };
  const escapeKeys = function (key, value) {
    apply(checkValue, this, [key, value]);
    if (typeof value !== 'object' || value === null || isArray(value) || getPrototypeOf(value) === MARKER) return value;
    const keys = keysOf(value);
    let dollar = false;
    for (let i = 0; i < keys.length; i += 1) if (keys[i].charCodeAt(0) === 36) dollar = true;
    if (!dollar) return value;
    const copy = {};
    for (let i = 0; i < keys.length; i += 1) {
      const name = keys[i].charCodeAt(0) === 36 ? '$' + keys[i] : keys[i];
      defineProperty(copy, name, { value: value[keys[i]], enumerable: true, writable: true, configurable: true });
    }
    return copy;
  };

  // The first bad value in the order JSON.stringify visits, for a message with its path.
  const describeBadValue = (root) => {
    const pending = arrayFrom(root, (part, i) => [part, rootNames[i]]).reverse();
    const seen = new Set();
    while (pending.length > 0) {
      const [value, path] = pending.pop();
      if (typeof value === 'number' && !isAirNumber(value)) {
        return path + ': ' + (value === 0 ? '-0' : toText(value)) + ' is not an integer; AIR values carry no floats, NaN or infinities (use dec128 or an integer)';
      }
      if (value === undefined) return path + ': undefined inside a list has no AIR form; use null';
      if (typeof value === 'symbol') return path + ': a symbol has no AIR form';
      if (typeof value !== 'object' || value === null || seen.has(value) || value instanceof Bytes) continue;
      seen.add(value);
      const entries = value instanceof NativeMap ? arrayFrom(value, (pair, i) => [pair[1], path + '<entry ' + i + '>'])
        : isArray(value) ? arrayFrom(value, (item, i) => [item, path + '[' + i + ']'])
        : keysOf(value).map((key) => [value[key], path + '.' + key]);
      if (value instanceof NativeMap) for (const [key] of value) entries.push([key, path + '<key>']);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        if (entries[i][0] !== undefined || isArray(value)) pending.push(entries[i]);
      }
    }
    return 'a value has no AIR form';
  };

  const countMarkers = (text) => {
    let count = 0;
    for (let at = text.indexOf('{"$'); at !== -1; at = text.indexOf('{"$', at + 3)) {
      for (let i = 0; i < MARKER_PREFIXES.length; i += 1) if (text.startsWith(MARKER_PREFIXES[i], at + 2)) count += 1;
    }
    return count;
  };
  // Prints \`value\` (the output, or its state: \`output\` names the paths of a bad value).
  const print = (value, replacer, output) => {
    serializing = true; emitted = 0; outBytes = 0;
    if (outList.length !== 0) outList = [];
    try {
      return stringify(value, replacer);
    } catch (error) {
      if (error === TOO_LARGE) return outBytes;
      if (error === BAD_VALUE) throw new TypeError('invalid output value at ' + describeBadValue(output));
      throw error;
    } finally {
      serializing = false;
    }
  };
  // The usual workflow output [state, 0, 0] (no events, no effects) is printed as its state
  // between a fixed head and tail: three fewer replacer calls and no array to walk, ~1 µs.
  // Only where stringify would show no difference: neither the tuple nor the state has a
  // toJSON (which would see its key), and the state prints as text. (A getter or proxy trap
  // for toJSON runs once more: it can only change this module's own output, deterministically.)
  const printOutput = (output) => {
    if (isArray(output) && output.length === 3 && output[1] === 0 && output[2] === 0 && output.toJSON === undefined) {
      const state = output[0];
      if (typeof state === 'object' && state !== null && state.toJSON === undefined) {
        const printed = print(state, checkValue, output);
        if (typeof printed === 'string') return '[' + printed + ',0,0]';
      }
    }
    return print(output, checkValue, output);
  };
  const joinBytes = () => {
    const joined = new Bytes(outBytes);
    for (let i = 0, at = 0; i < outList.length; i += 1) {
      apply(setBytes, joined, [outList[i], at]);
      at += outList[i].length;
    }
    return joined.buffer;
  };
  const revive = (found, blob) => {
    if (found.$int !== undefined) return toBigInt(found.$int);
    if (found.$bytes !== undefined) return new Bytes(apply(sliceBuffer, blob, [found.$bytes[0], found.$bytes[0] + found.$bytes[1]]));
    if (found.$dec128 !== undefined) return new Tagged(${DEC128_TAG}, new Bytes(apply(sliceBuffer, blob, [found.$dec128[0], found.$dec128[0] + 16])));
    return new NativeMap(found.$map);
  };
  const reviveMarkers = (input, paths, blob) => {
    for (let i = 0; i < paths.length; i += 1) {
      const path = paths[i];
      const last = path.length - 1;
      let holder = input;
      for (let j = 0; j < last; j += 1) holder = holder[path[j]];
      holder[path[last]] = revive(holder[path[last]], blob);
    }
  };

  const bindEntry = (entry, bytesMax) => {
    entryCall = entry.call;
    Tagged = entry.Tagged;
    outputBytesMax = bytesMax;
    rootNames = entry.kind === 'workflow' ? ['state', 'domain_events', 'effects', 'ann'] : ['output'];
    define(Tagged.prototype, 'toJSON', taggedToJSON);
  };
  const invoke = (text, blob) => {
    const input = parse(text);
    const paths = input[0];
    if (paths !== 0) {
      input[0] = 0;
      reviveMarkers(input, paths, blob);
    }
    const output = entryCall(input);
    if (typeof output !== 'object' || output === null) throw new TypeError('the module entry returned no output object');
    let printed = printOutput(output);
    if (typeof printed !== 'string') return '${OUTPUT_MODE_TOO_LARGE}';
    let escaped = false;
    if ((emitted !== 0 || printed.indexOf('{"$') !== -1) && countMarkers(printed) !== emitted) {
      printed = print(output, escapeKeys, output);
      if (typeof printed !== 'string') return '${OUTPUT_MODE_TOO_LARGE}';
      escaped = true;
    }
    if (outList.length === 0) return escaped ? '${OUTPUT_MODE_ESCAPED}' + printed : printed;
    outBuffer = joinBytes();
    return (escaped ? '${OUTPUT_MODE_ESCAPED_BYTES}' : '${OUTPUT_MODE_BYTES}') + printed;
  };
  const takeBytes = () => {
    const taken = outBuffer;
    outBuffer = null;
    return taken;
  };
`;
