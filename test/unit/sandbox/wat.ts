// Hand-written WAT modules for the wasm runtime tests, compiled with wabt.
import wabtInit from 'wabt';

/** Compiles WAT text to a wasm binary (multi-value enabled). */
export async function compileWat(text: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('test.wat', text, { multi_value: true });
  try {
    return Uint8Array.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The raw ABI around a step body: bump alloc from 1024; `$body` leaves (ptr, len) on the stack. */
function workflow(body: string, extra = '', memory = '(memory (export "memory") 1)'): string {
  return `(module
    ${memory}
    (global $next (mut i32) (i32.const 1024))
    (func (export "alloc") (param $len i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $next))
      (global.set $next (i32.add (global.get $next) (local.get $len)))
      (local.get $at))
    ${extra}
    (func (export "step") (param $ptr i32) (param $len i32) (result i32 i32)
      ${body}))`;
}

/** Always answers {state: h'01'} (canonical CBOR a1 65 "state" 41 01) from a data segment. */
export const CONSTANT_WORKFLOW = workflow('(i32.const 16) (i32.const 9)', '(data (i32.const 16) "\\a1\\65state\\41\\01")');

/** Loops forever. */
export const LOOPING_WORKFLOW = workflow('(loop $forever (br $forever)) (i32.const 0) (i32.const 0)');

/** Grows memory until it cannot, then traps. Declares no maximum: the runtime caps it. */
export const GROWING_WORKFLOW = workflow('(loop $more (br_if $more (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable', '', '(memory (export "memory") 1)');

/** Imports a host function: must be refused at load. */
export const IMPORTING_WORKFLOW = `(module
  (import "env" "read_clock" (func $clock (result i64)))
  (memory (export "memory") 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 0))
  (func (export "step") (param i32 i32) (result i32 i32) (drop (call $clock)) (i32.const 0) (i32.const 0)))`;

/** Returns a pointer past the end of its memory. */
export const OUT_OF_BOUNDS_WORKFLOW = workflow('(i32.const 65530) (i32.const 100)');
