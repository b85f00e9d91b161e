import type { DefModule } from '../air/index.ts';
import type { ModuleRuntime } from '../sandbox/index.ts';

/**
 * Supplies warm module runtimes. The node loads each artifact from CAS by the def's wasm_hash;
 * the kernel only steps them, in journal order, and says when to recycle (DESIGN §5).
 */
export interface ModuleProvider {
  runtime(module: DefModule): ModuleRuntime;
  /** Replaces every loaded context with a fresh one: called only at snapshot records. */
  recycleAll(): void;
  /**
   * Told which delivery of the current input is about to step (0-based, in delivery order), so
   * a watchdog that must abort the step can name it; it must not influence what the step does.
   */
  willStep?(deliveryIndex: number): void;
}
