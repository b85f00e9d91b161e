// Everything the CLI prints goes through here: JSON for machines, text for people, errors on stderr.
import { AirError } from '../air/errors.ts';
import { CborError, stringifyJsonExact, toJsonValue } from '../cbor/index.ts';
import type { CborValue } from '../cbor/index.ts';
import { CliError } from './cli-error.ts';
import { BuildError } from './build/errors.ts';
import { KernelError } from '../kernel/errors.ts';
import { NodeError } from '../node/errors.ts';
import { StoreError } from '../store/errors.ts';

/** Common flags every command accepts. */
export interface OutputOptions { readonly json?: boolean }

/** JSON text with bigints written as exact integers (never rounded through a JS number). */
export function stringifyExact(value: unknown, indent = 2): string {
  return stringifyJsonExact(value, indent);
}

/** Prints a result: as JSON with --json, else as the text the command renders. */
export function emit(options: OutputOptions, data: unknown, text: () => string): void {
  process.stdout.write(`${options.json === true ? stringifyExact(data) : text()}\n`);
}

/** Plain CBOR data as JSON-safe data (bytes as {"$bytes": hex}); bigints stay exact for stringifyExact. */
export function cborForJson(value: CborValue): unknown {
  return toJsonValue(value);
}

/** Prints an error for people (or as JSON) and returns the exit code to use. */
export function reportError(error: unknown, json: boolean): number {
  const known = describeError(error);
  if (json) {
    process.stderr.write(`${stringifyExact({ error: { code: known.code, message: known.message, ...(known.hint !== undefined ? { hint: known.hint } : {}) } })}\n`);
  } else {
    process.stderr.write(`error: ${known.message}\n${known.hint !== undefined ? `hint: ${known.hint}\n` : ''}`);
  }
  return known.exitCode;
}

function describeError(error: unknown): { code: string; message: string; hint?: string; exitCode: number } {
  if (error instanceof CliError) return { code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}), exitCode: error.exitCode };
  if (error instanceof AirError) return { code: error.code, message: error.message, exitCode: 1 };
  if (error instanceof CborError) return { code: error.code, message: error.message, exitCode: 1 };
  if (error instanceof NodeError) return { code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}), exitCode: 1 };
  if (error instanceof KernelError || error instanceof StoreError) return { code: error.code, message: error.message, exitCode: 1 };
  if (error instanceof BuildError) return { code: error.code, message: error.message, hint: 'fix the module source or aos.sync.json, then run `aos build` again', exitCode: 1 };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'INTERNAL', message: `unexpected failure: ${message}`, hint: 'this is a bug in AgentOS; please report it with the command you ran', exitCode: 70 };
}
