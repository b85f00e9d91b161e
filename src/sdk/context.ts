// The call contexts the kernel passes when a module declares a context schema
// (sys/WorkflowContext@1, sys/PureContext@1), as the SDK decodes them.

/** sys/WorkflowContext@1: when, where and with which entropy this step runs. */
export interface WorkflowContext {
  readonly now_ns: number | bigint;
  readonly logical_now_ns: number | bigint;
  readonly journal_height: number | bigint;
  /** 64 bytes stamped at ingress; also seeds Math.random for this step. */
  readonly entropy: Uint8Array;
  readonly event_hash: string;
  readonly manifest_hash: string;
  readonly workflow: string;
  readonly key: Uint8Array | null;
  readonly cell_mode: boolean;
}

/** sys/PureContext@1. */
export interface PureContext {
  readonly logical_now_ns: number | bigint;
  readonly journal_height: number | bigint;
  readonly manifest_hash: string;
  readonly module: string;
}
