// Caps the linear memory a raw wasm module declares. V8 gives no limit on memory.grow
// beyond what the module declares, so we rewrite the memory section's maximum to at most
// WASM_MEMORY_PAGES_MAX before compiling: growth past it then fails inside the module.
import { SandboxError } from '../errors.ts';

const MEMORY_SECTION_ID = 5;
const HEADER_BYTES = 8;

class ByteReader {
  constructor(readonly bytes: Uint8Array, public offset: number) {}
  byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw invalid(`the binary ends inside a section at byte ${this.offset}`);
    this.offset += 1;
    return value;
  }
  /** An unsigned LEB128 of at most 32 bits. */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw invalid(`an integer at byte ${this.offset} is longer than 5 bytes`);
  }
}

function u32Leb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const byte = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? byte | 0x80 : byte);
  } while (rest > 0);
  return out;
}

/** The binary with every declared memory's maximum set to at most `pagesMax` pages. */
export function capWasmMemory(binary: Uint8Array, pagesMax: number, moduleName: string): Uint8Array {
  const reader = new ByteReader(binary, HEADER_BYTES);
  while (reader.offset < binary.length) {
    const start = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const contentStart = reader.offset;
    if (contentStart + size > binary.length) throw invalid(`section ${id} at byte ${start} runs past the end`);
    if (id === MEMORY_SECTION_ID) {
      const content = cappedMemorySection(new ByteReader(binary.subarray(0, contentStart + size), contentStart), pagesMax, moduleName);
      const section = Uint8Array.from([id, ...u32Leb(content.length), ...content]);
      const out = new Uint8Array(start + section.length + (binary.length - contentStart - size));
      out.set(binary.subarray(0, start), 0);
      out.set(section, start);
      out.set(binary.subarray(contentStart + size), start + section.length);
      return out;
    }
    reader.offset = contentStart + size;
  }
  return binary;
}

function cappedMemorySection(reader: ByteReader, pagesMax: number, moduleName: string): number[] {
  const count = reader.u32();
  const content = u32Leb(count);
  for (let index = 0; index < count; index += 1) {
    const flags = reader.byte();
    if (flags !== 0 && flags !== 1) throw invalid(`memory ${index} has flags ${flags}; only plain 32-bit, unshared memories are supported`);
    const minimum = reader.u32();
    const maximum = flags === 1 ? reader.u32() : pagesMax;
    if (minimum > pagesMax) {
      throw new SandboxError('WASM_MEMORY_TOO_LARGE', `wasm module ${moduleName} needs ${minimum} memory pages at start; the cap is ${pagesMax} pages (${pagesMax * 64} KiB)`);
    }
    content.push(1, ...u32Leb(minimum), ...u32Leb(Math.min(maximum, pagesMax)));
  }
  return content;
}

function invalid(what: string): SandboxError {
  return new SandboxError('WASM_INVALID', `not a valid wasm binary: ${what}`);
}
