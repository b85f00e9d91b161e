// The byte scan for a leaked secret, over a whole world folder (the SQLite journal with its WAL
// and shared memory, every CAS object, keys, snapshots, logs) or any captured bytes: the secret's
// UTF-8, UTF-16LE, lowercase and uppercase hex, and base64 and base64url at each of the three
// alignments a secret can take inside a longer encoded stream.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One encoding of a secret to look for. */
interface SecretForm {
  readonly form: string;
  readonly needle: Buffer;
}

/** Characters kept from a base64 stream at each end, where neighbouring bytes change the encoding. */
const BASE64_EDGE_CHARS = 4;

/** Every form the scan looks for; a secret under 12 characters would give needles too short to mean anything. */
export function secretForms(secret: string): SecretForm[] {
  if (secret.length < 12) throw new Error(`a scanned secret needs at least 12 characters, not ${secret.length}: shorter needles match by chance`);
  const utf8 = Buffer.from(secret, 'utf8');
  const forms: SecretForm[] = [
    { form: 'utf-8', needle: utf8 },
    { form: 'utf-16le', needle: Buffer.from(secret, 'utf16le') },
    { form: 'hex', needle: Buffer.from(utf8.toString('hex'), 'latin1') },
    { form: 'HEX', needle: Buffer.from(utf8.toString('hex').toUpperCase(), 'latin1') },
  ];
  for (const encoding of ['base64', 'base64url'] as const) {
    for (let offset = 0; offset < 3; offset += 1) {
      // The secret after `offset` other bytes: only the characters that depend on its bytes alone.
      const encoded = Buffer.concat([Buffer.alloc(offset), utf8]).toString(encoding).replace(/=+$/, '');
      const inner = encoded.slice(offset === 0 ? 0 : BASE64_EDGE_CHARS, encoded.length - BASE64_EDGE_CHARS);
      forms.push({ form: `${encoding}@${offset}`, needle: Buffer.from(inner, 'latin1') });
    }
  }
  return forms;
}

/** The forms of `secret` found in `bytes`. */
export function secretFormsIn(bytes: Uint8Array | string, secret: string): string[] {
  const haystack = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return secretForms(secret).filter(({ needle }) => haystack.indexOf(needle) !== -1).map(({ form }) => form);
}

/** Every regular file under `folder` (recursively), absolute paths, sorted. */
export function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).map((name) => join(folder, name)).filter((path) => statSync(path).isFile()).sort();
}

/** Where `secret` appears under `folder`, as "<relative path>: <form>"; `except` lists relative paths left out (the secret's own source, such as .env). */
export function secretFindingsUnder(folder: string, secret: string, except: readonly string[] = []): string[] {
  const findings: string[] = [];
  for (const file of filesUnder(folder)) {
    const name = relative(folder, file);
    if (except.includes(name)) continue;
    for (const form of secretFormsIn(readFileSync(file), secret)) findings.push(`${name}: ${form}`);
  }
  return findings;
}
