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

/** ANSI styles the CLI uses; each is drawn only where colourEnabled says so. */
const STYLES = { red: [31, 39], green: [32, 39], yellow: [33, 39], bold: [1, 22] } as const;

/** True when `stream` is a terminal and the user has not asked for no colour (NO_COLOR, https://no-color.org). */
function colourEnabled(stream: NodeJS.WriteStream): boolean {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '' && process.env.TERM !== 'dumb';
}

/** `text` in `style` on a colour terminal; unchanged anywhere else (pipes, files, CI logs). */
export function paint(text: string, style: keyof typeof STYLES, stream: NodeJS.WriteStream = process.stdout): string {
  if (!colourEnabled(stream)) return text;
  const [open, close] = STYLES[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Prints an error for people (or as JSON) and returns the exit code to use. */
export function reportError(error: unknown, json: boolean): number {
  const known = describeError(error);
  if (json) {
    process.stderr.write(`${stringifyExact({ error: { code: known.code, message: known.message, ...(known.hint !== undefined ? { hint: known.hint } : {}) } })}\n`);
  } else {
    process.stderr.write(`${paint('error:', 'red', process.stderr)} ${known.message}\n${known.hint !== undefined ? `${paint('hint:', 'yellow', process.stderr)} ${known.hint}\n` : ''}`);
  }
  return known.exitCode;
}

/** Codes that mean the stored world is damaged, not that the request was wrong. */
const DAMAGE_CODES: ReadonlySet<string> = new Set(['JOURNAL_CORRUPT', 'REPLAY_DIVERGED', 'CAS_CORRUPT', 'SNAPSHOT_INVALID']);
const DAMAGE_HINT = 'the world\'s stored journal or objects are damaged: run `aos audit verify` on it, and restore it from a backup or an export (`aos world import`)';
const GENERIC_HINT = 'correct what the message names and run the command again; `aos world show` and `aos journal tail` show the world\'s state';

function describeError(error: unknown): { code: string; message: string; hint?: string; exitCode: number } {
  if (error instanceof CliError) return { code: error.code, message: error.message, ...(error.hint !== undefined ? { hint: error.hint } : {}), exitCode: error.exitCode };
  if (error instanceof AirError) return { code: error.code, message: error.message, hint: 'fix the AIR named above; `aos air check <dir>` lists every error', exitCode: 1 };
  if (error instanceof CborError) return { code: error.code, message: error.message, hint: 'correct the value at the place named above (canonical CBOR, or JSON in the lens the command documents) and run the command again', exitCode: 1 };
  if (error instanceof NodeError) return { code: error.code, message: error.message, hint: error.hint ?? GENERIC_HINT, exitCode: 1 };
  if (error instanceof KernelError || error instanceof StoreError) return { code: error.code, message: error.message, hint: DAMAGE_CODES.has(error.code) ? DAMAGE_HINT : GENERIC_HINT, exitCode: 1 };
  if (error instanceof BuildError) return { code: error.code, message: error.message, hint: 'fix the module source or aos.sync.json, then run `aos build` again', exitCode: 1 };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: 'INTERNAL', message: `unexpected failure: ${message}`, hint: 'this is a bug in AgentOS; please report it with the command you ran', exitCode: 70 };
}
