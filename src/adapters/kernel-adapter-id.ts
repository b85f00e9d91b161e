// Internal effects (DESIGN §7: workspace.*, introspect.*, governance.*) run inside the node, not
// at an outside service, and are signed by the kernel's own key: the node key named after this
// adapter_id. A world trusts it like any adapter key (it is listed in the world's trusted keys).

/** The adapter_id of every internal effect's receipts, and the name of the node key that signs them. */
export const KERNEL_ADAPTER_ID = 'kernel';
