// Library of `aos build`: bundling modules and building a world folder.
export { buildWorld } from './build-world.ts';
export type { BuiltWorld } from './build-world.ts';
export { bundleModule, SDK_SPECIFIER } from './bundle-module.ts';
export type { BundledModule } from './bundle-module.ts';
export { BuildError } from './errors.ts';
export type { BuildErrorCode } from './errors.ts';
export { sandboxImportGuard } from './sandbox-import-guard.ts';
export { readSyncConfig, SYNC_CONFIG_FILE } from './sync-config.ts';
export { writeModuleHashes } from './write-module-hashes.ts';
export type { HashUpdate } from './write-module-hashes.ts';
