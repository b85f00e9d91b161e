export { compilePatch } from './compile-patch.ts';
export type { CompiledPatch, PatchBase, PatchResult } from './compile-patch.ts';
export type { PatchDocument, PatchOp, PatchOpName } from './patch-document.ts';
export { sectionHash, sectionHashes } from './section-hash.ts';
export type { GuardedSection } from './section-hash.ts';
export type { PatchSummary } from './patch-summary.ts';
