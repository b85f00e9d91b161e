// Goal: a receipt signature covers exactly cbor{intent_hash, adapter_id, status, payload_hash,
// cost_cents, usage}: signing bytes are canonical and stable, a genuine signature verifies, and
// every alteration (fields, key, signature bytes) is refused with a reason a caller can report.
// Method: a fixed vector whose bytes are spelled out by hand and checked against cbor2 (an
// independent encoder) and RFC 8032's first key; signatures made with node:crypto directly, not
// through our signer; then fast-check (a failure prints its seed and path) over random receipts,
// random alterations and arbitrary junk fields.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { encode as cbor2Encode } from 'cbor2';
import { hashBytes, toHex } from '../../../src/cbor/index.ts';
import type { Hash } from '../../../src/cbor/index.ts';
import {
  checkReceiptSignature, checkVouchedReceiptSignature, KernelError, publicKeyId, rawPublicKey, receiptSigningBytes, verifyReceiptSignature,
} from '../../../src/kernel/index.ts';
import type { ReceiptSigningFields } from '../../../src/kernel/index.ts';

const hexOf = (text: string) => Buffer.from(text, 'utf8').toString('hex');
const H1 = `sha256:${'11'.repeat(32)}` as Hash;
const H2 = `sha256:${'22'.repeat(32)}` as Hash;
const H3 = `sha256:${'33'.repeat(32)}` as Hash;

const FIXED: ReceiptSigningFields = {
  intent_hash: H1, adapter_id: 'http.mock', status: 'ok', payload_hash: H2, cost_cents: 250, usage: { prompt_tokens: 120, completion_tokens: 42 },
};

// RFC 8032 §7.1, TEST 1: the secret key and the public key it must give.
const RFC_SEED = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const RFC_PUBLIC = Buffer.from('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a', 'hex');
const RFC_EMPTY_SIGNATURE = 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const FIXED_SIGNATURE = 'bfe606ac9c4ccab3dfb87822d677cebd985195cec4116b97e068047fab8abc01ae04f1ed93a1ab11cde7526c522df6e2e4d293c400c8e77342fbac35db142903';
const RFC_KEY = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: RFC_SEED.toString('base64url'), x: RFC_PUBLIC.toString('base64url') }, format: 'jwk' });

function signWith(key: KeyObject, fields: ReceiptSigningFields): Uint8Array {
  return new Uint8Array(sign(null, receiptSigningBytes(fields), key));
}

function newKey(): { privateKey: KeyObject; raw: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, raw: rawPublicKey(publicKey) };
}

test('the fixed vector: self-describe tag, six keys in canonical order, bytes spelled out by hand', () => {
  const expected = [
    'd9d9f7', 'a6', // tag 55799, map of 6; keys ordered by encoded bytes: shorter first, then bytewise
    '65', hexOf('usage'), 'a2', '6d', hexOf('prompt_tokens'), '1878', '71', hexOf('completion_tokens'), '182a',
    '66', hexOf('status'), '62', hexOf('ok'),
    '6a', hexOf('adapter_id'), '69', hexOf('http.mock'),
    '6a', hexOf('cost_cents'), '18fa',
    '6b', hexOf('intent_hash'), '7847', hexOf(H1),
    '6c', hexOf('payload_hash'), '7847', hexOf(H2),
  ].join('');
  assert.equal(toHex(receiptSigningBytes(FIXED)), expected);
  // cbor2, in its deterministic (CDE) mode, is an encoder we did not write.
  assert.equal(toHex(receiptSigningBytes(FIXED)), `d9d9f7${toHex(cbor2Encode({ ...FIXED }, { cde: true }))}`);
});

test('absent cost_cents and usage are signed as null; 0 is a different claim; number and bigint agree', () => {
  const { cost_cents: _cost, usage: _usage, ...bare } = FIXED;
  const absent = receiptSigningBytes(bare);
  assert.deepEqual(absent, receiptSigningBytes({ ...bare, cost_cents: null, usage: null }));
  assert.equal(toHex(absent), `d9d9f7${toHex(cbor2Encode({ ...bare, cost_cents: null, usage: null }, { cde: true }))}`);
  assert.notDeepEqual(absent, receiptSigningBytes({ ...bare, cost_cents: 0 }));
  assert.deepEqual(receiptSigningBytes(FIXED), receiptSigningBytes({ ...FIXED, cost_cents: 250n, usage: { prompt_tokens: 120n, completion_tokens: 42n } }));
  assert.deepEqual(receiptSigningBytes(FIXED), receiptSigningBytes({ ...FIXED, signature: new Uint8Array(64), payload: new Uint8Array(3) } as ReceiptSigningFields), 'other fields of the object are not signed');
});

test('RFC 8032 key: our key id and a signature made by node:crypto directly verify', () => {
  assert.equal(publicKeyId(rawPublicKey(RFC_KEY)), `ed25519:${RFC_PUBLIC.toString('hex')}`);
  assert.equal(sign(null, Buffer.alloc(0), RFC_KEY).toString('hex'), RFC_EMPTY_SIGNATURE, 'the key is RFC 8032 TEST 1');
  const signature = signWith(RFC_KEY, FIXED);
  // Pinned: a change here means every receipt signed so far no longer verifies.
  assert.equal(toHex(signature), FIXED_SIGNATURE);
  assert.ok(verifyReceiptSignature(RFC_PUBLIC, FIXED, signature));
  // ed25519 is deterministic: the same key and bytes give the same signature every time.
  assert.deepEqual(signWith(RFC_KEY, FIXED), signature);
  const check = checkReceiptSignature(new Map([['http.mock', [RFC_PUBLIC]]]), FIXED, signature);
  assert.deepEqual(check, { ok: true, key: `ed25519:${RFC_PUBLIC.toString('hex')}` });
});

const TAMPERED: ReadonlyArray<readonly [string, ReceiptSigningFields]> = [
  ['another intent_hash', { ...FIXED, intent_hash: H3 }],
  ['another payload_hash', { ...FIXED, payload_hash: H3 }],
  ['another status', { ...FIXED, status: 'error' }],
  ['status timeout', { ...FIXED, status: 'timeout' }],
  ['another adapter_id', { ...FIXED, adapter_id: 'http.mock2' }],
  ['a higher cost', { ...FIXED, cost_cents: 251 }],
  ['cost dropped', { ...FIXED, cost_cents: null }],
  ['cost zero', { ...FIXED, cost_cents: 0 }],
  ['more prompt tokens', { ...FIXED, usage: { prompt_tokens: 121, completion_tokens: 42 } }],
  ['prompt and completion swapped', { ...FIXED, usage: { prompt_tokens: 42, completion_tokens: 120 } }],
  ['usage dropped', { ...FIXED, usage: null }],
];

test('every altered field is refused: verify is false, check says BAD_SIGNATURE (or UNKNOWN_KEY for another adapter)', () => {
  const signature = signWith(RFC_KEY, FIXED);
  const trusted = new Map([['http.mock', [RFC_PUBLIC]], ['http.mock2', [RFC_PUBLIC]]]);
  for (const [what, fields] of TAMPERED) {
    assert.equal(verifyReceiptSignature(RFC_PUBLIC, fields, signature), false, what);
    const check = checkReceiptSignature(trusted, fields, signature);
    assert.equal(check.ok, false, what);
    if (!check.ok) assert.equal(check.reason, 'BAD_SIGNATURE', what);
  }
  const otherAdapter = checkReceiptSignature(new Map([['http.mock', [RFC_PUBLIC]]]), { ...FIXED, adapter_id: 'http.mock2' }, signature);
  assert.equal(otherAdapter.ok ? null : otherAdapter.reason, 'UNKNOWN_KEY');
});

test('the wrong key is refused; a key trusted for another adapter does not count; rotation accepts either trusted key', () => {
  const signature = signWith(RFC_KEY, FIXED);
  const other = newKey();
  assert.equal(verifyReceiptSignature(other.raw, FIXED, signature), false);
  const wrong = checkReceiptSignature(new Map([['http.mock', [other.raw]]]), FIXED, signature);
  assert.ok(!wrong.ok && wrong.reason === 'BAD_SIGNATURE' && wrong.message.includes('1 key(s) trusted'), JSON.stringify(wrong));
  const elsewhere = checkReceiptSignature(new Map([['blob.local', [RFC_PUBLIC]]]), FIXED, signature);
  assert.ok(!elsewhere.ok && elsewhere.reason === 'UNKNOWN_KEY' && elsewhere.message.includes('"http.mock"'), JSON.stringify(elsewhere));
  const rotated = checkReceiptSignature(new Map([['http.mock', [other.raw, RFC_PUBLIC]]]), FIXED, signature);
  assert.deepEqual(rotated, { ok: true, key: publicKeyId(RFC_PUBLIC) });
  const fresh = signWith(other.privateKey, FIXED);
  assert.deepEqual(checkReceiptSignature(new Map([['http.mock', [other.raw, RFC_PUBLIC]]]), FIXED, fresh), { ok: true, key: publicKeyId(other.raw) });
});

test('truncated, extended, zeroed and every single-bit-flipped signature is refused', () => {
  const signature = signWith(RFC_KEY, FIXED);
  const trusted = new Map([['http.mock', [RFC_PUBLIC]]]);
  for (const bad of [signature.subarray(0, 63), signature.subarray(0, 0), Uint8Array.from([...signature, 0])]) {
    assert.equal(verifyReceiptSignature(RFC_PUBLIC, FIXED, bad), false);
    const check = checkReceiptSignature(trusted, FIXED, bad);
    assert.ok(!check.ok && check.reason === 'SIGNATURE_LENGTH' && check.message.includes(`${bad.length}-byte signature`), JSON.stringify(check));
  }
  const zero = new Uint8Array(64); // what upstream writes as its "signature"
  assert.equal(verifyReceiptSignature(RFC_PUBLIC, FIXED, zero), false);
  for (let bit = 0; bit < 64 * 8; bit += 1) {
    const flipped = Uint8Array.from(signature);
    flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
    assert.equal(verifyReceiptSignature(RFC_PUBLIC, FIXED, flipped), false, `bit ${bit}`);
  }
  assert.equal(verifyReceiptSignature(RFC_PUBLIC.subarray(0, 31), FIXED, signature), false, 'a short public key');
});

const MALFORMED: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['intent_hash', { ...FIXED, intent_hash: 'sha256:abc' }, /intent_hash is not a hash/],
  ['payload_hash', { ...FIXED, payload_hash: H2.toUpperCase() }, /payload_hash is not a hash/],
  ['adapter_id empty', { ...FIXED, adapter_id: '' }, /adapter_id is empty text; expected non-empty text/],
  ['adapter_id number', { ...FIXED, adapter_id: 7 }, /adapter_id is 7/],
  ['status lone surrogate', { ...FIXED, status: 'ok\uD800' }, /status contains a lone UTF-16 surrogate/],
  ['negative cost', { ...FIXED, cost_cents: -1 }, /cost_cents is -1; expected a whole number of cents/],
  ['fractional cost', { ...FIXED, cost_cents: 2.5 }, /cost_cents is the non-integer 2\.5/],
  ['cost beyond u64', { ...FIXED, cost_cents: 1n << 64n }, /cost_cents is 18446744073709551616/],
  ['usage extra field', { ...FIXED, usage: { prompt_tokens: 1, completion_tokens: 2, reasoning_tokens: 3 } }, /usage has the fields \[completion_tokens, prompt_tokens, reasoning_tokens\]/],
  ['usage negative', { ...FIXED, usage: { prompt_tokens: -1, completion_tokens: 2 } }, /usage\.prompt_tokens is -1/],
  ['usage a list', { ...FIXED, usage: [1, 2] }, /usage is a list/],
];

test('malformed fields: signing throws RECEIPT_INVALID, checking says FIELDS_INVALID, both saying which field', () => {
  const signature = signWith(RFC_KEY, FIXED);
  for (const [what, fields, message] of MALFORMED) {
    const typed = fields as ReceiptSigningFields;
    assert.throws(() => receiptSigningBytes(typed), (error: unknown) => error instanceof KernelError && error.code === 'RECEIPT_INVALID' && message.test(error.message), what);
    const check = checkReceiptSignature(new Map([['http.mock', [RFC_PUBLIC]]]), typed, signature);
    assert.ok(!check.ok && check.reason === 'FIELDS_INVALID' && message.test(check.message), `${what}: ${JSON.stringify(check)}`);
    assert.equal(verifyReceiptSignature(RFC_PUBLIC, typed, signature), false, what);
  }
});

const HASH = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => hashBytes(bytes));
const U64 = fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const FIELDS: fc.Arbitrary<ReceiptSigningFields> = fc.record({
  intent_hash: HASH, adapter_id: fc.string({ minLength: 1, unit: 'grapheme' }), status: fc.constantFrom('ok', 'error', 'timeout', 'denied'), payload_hash: HASH,
  cost_cents: fc.option(U64, { nil: null }), usage: fc.option(fc.record({ prompt_tokens: U64, completion_tokens: U64 }), { nil: null }),
}, { requiredKeys: ['intent_hash', 'adapter_id', 'status', 'payload_hash'] });

test('random receipts: bytes match cbor2, a genuine signature verifies, any one altered field does not', () => {
  const key = newKey();
  fc.assert(fc.property(FIELDS, FIELDS, fc.constantFrom<keyof ReceiptSigningFields>('intent_hash', 'adapter_id', 'status', 'payload_hash', 'cost_cents', 'usage'), (fields, other, field) => {
    const full = { ...fields, cost_cents: fields.cost_cents ?? null, usage: fields.usage ?? null };
    assert.equal(toHex(receiptSigningBytes(fields)), `d9d9f7${toHex(cbor2Encode(full, { cde: true }))}`);
    const signature = signWith(key.privateKey, fields);
    assert.ok(verifyReceiptSignature(key.raw, fields, signature));
    const altered = { ...fields, [field]: other[field] ?? null };
    const same = toHex(receiptSigningBytes(altered)) === toHex(receiptSigningBytes(fields));
    assert.equal(verifyReceiptSignature(key.raw, altered, signature), same);
  }), { numRuns: 300 });
});

test('any junk in any field: checkReceiptSignature answers with a reason, never throws', () => {
  const trusted = new Map([['http.mock', [RFC_PUBLIC]]]);
  fc.assert(fc.property(fc.record({
    intent_hash: fc.oneof(HASH, fc.anything()), adapter_id: fc.oneof(fc.constant('http.mock'), fc.anything()), status: fc.anything(),
    payload_hash: fc.oneof(HASH, fc.anything()), cost_cents: fc.anything(), usage: fc.oneof(fc.record({ prompt_tokens: fc.anything(), completion_tokens: fc.anything() }), fc.anything()),
  }), fc.uint8Array({ maxLength: 80 }), (junk, signature) => {
    const check = checkReceiptSignature(trusted, junk as unknown as ReceiptSigningFields, signature);
    assert.equal(check.ok, false);
    assert.equal(verifyReceiptSignature(RFC_PUBLIC, junk as unknown as ReceiptSigningFields, signature), false);
  }), { numRuns: 2_000 });
});

test('a vouched signer (the node\'s own executor) is admitted without re-verifying only when its key is trusted for that adapter; otherwise the full check decides', () => {
  const signature = signWith(RFC_KEY, FIXED);
  const other = newKey();
  const trusted = new Map([['http.mock', [RFC_PUBLIC]]]);
  assert.deepEqual(checkVouchedReceiptSignature(trusted, FIXED, signature, RFC_PUBLIC), { ok: true, key: publicKeyId(RFC_PUBLIC) });
  const untrusted = checkVouchedReceiptSignature(trusted, FIXED, signWith(other.privateKey, FIXED), other.raw);
  assert.ok(!untrusted.ok && untrusted.reason === 'BAD_SIGNATURE', 'a key the world does not trust gets the full check, and its refusal');
  const elsewhere = checkVouchedReceiptSignature(new Map([['blob.local', [RFC_PUBLIC]]]), FIXED, signature, RFC_PUBLIC);
  assert.ok(!elsewhere.ok && elsewhere.reason === 'UNKNOWN_KEY', 'trusted for another adapter does not count');
  const retired = checkVouchedReceiptSignature(new Map([['http.mock', [other.raw]]]), FIXED, signature, RFC_PUBLIC, new Map([['http.mock', [RFC_PUBLIC]]]));
  assert.ok(!retired.ok && retired.reason === 'KEY_RETIRED', 'a retired key is refused as from outside');
  const short = checkVouchedReceiptSignature(trusted, FIXED, signature.slice(0, 63), RFC_PUBLIC);
  assert.ok(!short.ok && short.reason === 'SIGNATURE_LENGTH');
  const malformed = checkVouchedReceiptSignature(trusted, { ...FIXED, cost_cents: -1 }, signature, RFC_PUBLIC);
  assert.ok(!malformed.ok && malformed.reason === 'FIELDS_INVALID');
});
