// Workspaces: content-addressed file trees in the world's CAS, and the adapter of workspace.*.
export { checkWorkspaceName, comparePaths, isUnder, joinPath, pathSegments, rootOrPathSegments, splitPath } from './paths.ts';
export type { WorkspaceHistory, WorkspaceRegistry, WorkspaceVersion } from './registry.ts';
export { DIR_MODE_DEFAULT, EMPTY_TREE, FILE_MODE_DEFAULT, getTree, putTree, WORKSPACE_TREE_SCHEMA } from './tree-node.ts';
export type { EntryKind, TreeEntry, TreeNode } from './tree-node.ts';
export { WorkspaceTrees } from './tree.ts';
export type { Annotations, DiffChange, ListedEntry, Listing, ListScope } from './tree.ts';
export { WORKSPACE_EFFECTS, WorkspaceAdapter } from './workspace-adapter.ts';
export { buildTree } from './tree-build.ts';
export type { FileToPlace } from './tree-build.ts';
