// `aos cbor encode|hash|decode`: canonical CBOR of plain JSON values, for checking bytes and hashes by hand.
import type { Command } from 'commander';
import { decodeCanonical, encodeCanonical, fromHex, hashValue, parseJsonExact, toHex } from '../../cbor/index.ts';
import { cborForJson, emit, stringifyExact } from '../output.ts';
import type { OutputOptions } from '../output.ts';

export function registerCbor(program: Command): void {
  const cbor = program.command('cbor').description('canonical CBOR of plain JSON values (self-describe prefix included). Always local: pure encoding, no world');
  cbor.command('encode <json>').description('print the canonical CBOR hex of a JSON value')
    .option('--json', 'print JSON').action((text: string, options: OutputOptions) => {
      const hex = toHex(encodeCanonical(parseJsonExact(text)));
      emit(options, { cbor_hex: hex }, () => hex);
    });
  cbor.command('hash <json>').description('print the sha256 hash of a JSON value\'s canonical CBOR')
    .option('--json', 'print JSON').action((text: string, options: OutputOptions) => {
      const hash = hashValue(parseJsonExact(text));
      emit(options, { hash }, () => hash);
    });
  cbor.command('decode <hex>').description('decode strict canonical CBOR hex and print it in the canonical (tagged) lens, or as plain JSON with --plain')
    .option('--plain', 'plain JSON (bytes as {"$bytes": hex}) instead of the tagged lens')
    .option('--json', 'print JSON').action(async (hex: string, options: OutputOptions & { plain?: boolean }) => {
      const decoded = decodeCanonical(fromHex(hex));
      const value = options.plain === true ? cborForJson(decoded) : (await import('../../air/value/untyped-lens.ts')).toTaggedLens(decoded);
      emit(options, { value }, () => stringifyExact(value));
    });
}
