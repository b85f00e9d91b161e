// The part of the WebAssembly JS API the wasm runtime uses. tsconfig's lib is ES2022
// without DOM, and @types/node 20 does not declare WebAssembly, so we declare it here.
declare global {
  namespace WebAssembly {
    interface ModuleImportDescriptor { readonly module: string; readonly name: string; readonly kind: string }
    interface ModuleExportDescriptor { readonly name: string; readonly kind: string }
    class Module {
      constructor(bytes: Uint8Array);
      static imports(module: Module): ModuleImportDescriptor[];
      static exports(module: Module): ModuleExportDescriptor[];
    }
    class Instance {
      constructor(module: Module, imports: Record<string, never>);
      readonly exports: Record<string, unknown>;
    }
    class Memory {
      readonly buffer: ArrayBuffer;
      grow(pages: number): number;
    }
    class RuntimeError extends Error {}
    class CompileError extends Error {}
  }
}
export {};
