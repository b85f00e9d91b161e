export { AirError, childPath, formatWhere } from './errors.ts';
export type { AirErrorCode, AirWhere } from './errors.ts';
export type { MapKeyKind, PrimitiveKind, SchemaResolver, TypeAst } from './type-ast.ts';
export { CAP_ALLOW_ALL, DEF_KINDS, isSysName, MANIFEST_SECTION, NODE_KINDS } from './defs.ts';
export type {
  ApprovalPolicy, CapGrant, Def, DefCap, DefEffect, DefKind, DefModule, DefPolicy, DefSchema, DefSecret, GrantBudget,
  Manifest, ModuleLimits, NamedRef, Node, NodeKind, PolicyDecision, PolicyMatch, PureAbi, Subscription, WorkflowAbi,
} from './defs.ts';
export { APPROVAL_TOUCH_KINDS } from './schema-extensions.ts';
export { checkStructure } from './structural.ts';
export { parseAirJson, stripComments } from './authoring.ts';
export { canonicalDef, canonicalManifest, sealNode } from './canonical-node.ts';
export type { CanonicalNode } from './canonical-node.ts';
export { DefIndex } from './def-index.ts';
export type { DefEntry } from './def-index.ts';
export { builtinCatalog, loadCatalog } from './catalog.ts';
export { loadWorld } from './load-world.ts';
export type { AirDocument, AirLoadResult, AirWorld, LoadOptions } from './load-world.ts';
export { airFilesOf, importsOf, loadWorldPath, readDocuments } from './folder.ts';
export * from './patch/index.ts';
export * from './value/index.ts';
