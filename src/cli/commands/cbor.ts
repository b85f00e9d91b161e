// `aos cbor encode|hash|decode`: canonical CBOR of plain JSON values, for checking bytes and hashes by hand.
import type { Command } from 'commander';
import { decodeCanonical, encodeCanonical, fromHex, hashValue, parseJsonExact, toHex } from '../../cbor/index.ts';
import { cborForJson, emit, stringifyExact } from '../output.ts';
import type { OutputOptions } from '../output.ts';

export function registerCbor(program: Command): void {
  const cbor = program.command('cbor').description('canonical CBOR of plain JSON values (self-describe prefix included)');
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
  cbor.command('decode <hex>').description('decode strict canonical CBOR hex and print it as JSON (bytes as {"$bytes": hex})')
    .option('--json', 'print JSON').action((hex: string, options: OutputOptions) => {
      const value = cborForJson(decodeCanonical(fromHex(hex)));
      emit(options, { value }, () => stringifyExact(value));
    });
}
