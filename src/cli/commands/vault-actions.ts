// What the vault commands do; loaded only when one of them runs. Output shows names, versions and digests, never values.
import { resolve } from 'node:path';
import { Vault } from '../../node/vault.ts';
import { VAULT_VALUE_BYTES_MAX } from '../../node/limits.ts';
import { CliError } from '../cli-error.ts';
import { emit } from '../output.ts';
import type { OutputOptions } from '../output.ts';

export interface VaultRootOptions extends OutputOptions { readonly root: string }
export interface VaultPutOptions extends VaultRootOptions { readonly name: string; readonly valueStdin: boolean }
export interface VaultStageOptions extends VaultRootOptions { readonly valueStdin: boolean }

export async function put(options: VaultPutOptions): Promise<void> {
  const value = await readStdin();
  const stored = new Vault(resolve(options.root)).put(options.name, value);
  emit(options, stored, () => `stored ${stored.name} version ${stored.version} (active), digest ${stored.digest}`);
}

export async function stage(options: VaultStageOptions): Promise<void> {
  const value = await readStdin();
  const ref = new Vault(resolve(options.root)).stage(value);
  value.fill(0);
  emit(options, { value_ref: ref }, () => `staged ${ref}: pass it as the value_ref (and expected_digest) of a vault.put; the put consumes it`);
}

export function ls(options: VaultRootOptions): void {
  const listing = new Vault(resolve(options.root)).list();
  emit(options, listing, () => {
    const rows = listing.entries.map((entry) => `${entry.name.padEnd(32)} ${String(entry.active).padEnd(7)} ${entry.versions.join(',')}`);
    const body = rows.length === 0 ? [`no entries in ${listing.directory}; store one with \`printf %s "$VALUE" | aos vault put --root ${options.root} --name <name> --value-stdin\``] : [`${'NAME'.padEnd(32)} ${'ACTIVE'.padEnd(7)} VERSIONS`, ...rows];
    return [...body, ...listing.warnings.map((warning) => `warning: ${warning}`)].join('\n');
  });
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
    total += bytes.byteLength;
    if (total > VAULT_VALUE_BYTES_MAX + 2) throw new CliError('BAD_INPUT', `the value on stdin is over ${VAULT_VALUE_BYTES_MAX} bytes (VAULT_VALUE_BYTES_MAX)`, 'store large material as a blob and keep its key in the vault');
    chunks.push(bytes);
  }
  let value = Buffer.concat(chunks);
  if (value.at(-1) === 0x0a) value = value.subarray(0, value.at(-2) === 0x0d ? -2 : -1);
  if (value.byteLength === 0) throw new CliError('BAD_INPUT', 'stdin was empty: the vault stores no empty values', 'pipe the value in, e.g. printf %s "$OPENAI_API_KEY" | aos vault put --name llm/openai_api --value-stdin');
  return value;
}
