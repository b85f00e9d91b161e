// A world hosted by a node, inside its world thread: the executor that runs its effects
// continuously (dispatched after every accepted input and every receipt, re-attaching open work
// when the thread starts), and the named reads and writes the control API asks for. Every answer
// is plain data (structured-cloned to the host, then JSON); errors travel as {code, message,
// hint} so the API can say what is wrong and what to do.
import { valueFromJson, valueToSugarJson } from '../air/index.ts';
import { decodeCanonical, encodeCanonical, parseJsonExact, toJsonValue } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { diagnose, firstEventWithHash, traceFrom } from '../kernel/index.ts';
import type { ApprovalDecision, OpenIntent, SealedRecord } from '../kernel/index.ts';
import { EffectExecutor } from './effect-executor.ts';
import type { EmbeddedWorld } from './embedded-world.ts';
import { NodeError } from './errors.ts';
import { GOVERNANCE_OPS, governanceOp } from './governance-ops.ts';
import { CLI_OPS, runCliOp } from './node-world-cli-ops.ts';
import { loadApprovalSigner } from './keys.ts';
import { nodeRoutes } from './node-effects.ts';
import { listReceipts, showReceipt } from './receipts.ts';
import { NodeSecrets } from './secrets.ts';
import { WorldWorkspaceRegistry } from './workspace-registry.ts';
import type { OpResult } from './world-thread-messages.ts';
import { NODE_JOURNAL_PAGE_MAX, NODE_TRACE_RECORDS_MAX } from './limits.ts';
import { hashArg, optionalText, text } from './op-args.ts';
import type { OpArgs } from './op-args.ts';

/** A journal record as the API shows it: decoded, and its canonical bytes (base64) for checking the chain. */
export interface RecordJson {
  readonly height: number;
  readonly kind: string;
  readonly hash: Hash;
  readonly prev: Hash | null;
  readonly body: unknown;
  readonly record_b64: string;
}

export function recordJson(record: SealedRecord): RecordJson {
  return { height: record.height, kind: record.body.kind, hash: record.hash, prev: record.prev, body: toJsonValue(record.body as unknown as CborValue), record_b64: Buffer.from(record.bytes).toString('base64') };
}

type Args = OpArgs;




function count(args: Args, name: string, fallback: number, min: number): number {
  const value = args[name] ?? fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) throw new NodeError('BAD_INPUT', `${name} must be a whole number ≥ ${min}`, `e.g. ${name}=${fallback}`);
  return value;
}

function bytesArg(args: Args, name: string): Uint8Array {
  const value = args[name];
  if (!(value instanceof Uint8Array)) throw new NodeError('BAD_INPUT', `${name} must be bytes`, 'send the blob as application/octet-stream');
  return value;
}

/** The node's hosted form of one world: its executor and its named operations. */
export class HostedWorld {
  private executor: EffectExecutor | null = null;

  constructor(private readonly world: EmbeddedWorld) {}

  /** Starts executing: every durable open intent is picked up (at-least-once across restarts). */
  start(): void {
    // Secrets resolve as for `aos world run`: from the environment, the root's .env and its vault, per the intent's grant.
    const secrets = new NodeSecrets({ root: this.world.dir, secrets: [...this.world.view.authority.secrets.values()] });
    this.executor = new EffectExecutor(this.world, nodeRoutes(this.world), { secrets });
    this.executor.dispatch();
  }

  dispatch(): void {
    this.executor?.dispatch();
  }

  /** Stops the executor and starts a new one (after a key rotation: it loads its signers at start); aborted work runs again. */
  restartExecutor(): void {
    if (this.executor === null) return;
    this.executor.close();
    this.start();
  }

  /** Runs a named operation; never throws (its failure is the answer). */
  call(op: string, args: unknown): OpResult | Promise<OpResult> {
    const failed = (error: unknown): OpResult => {
      const known = error as { name?: unknown; code?: unknown; message?: unknown; hint?: unknown };
      return { ok: false, error: { name: String(known.name ?? 'Error'), code: String(known.code ?? 'INTERNAL'), message: String(known.message ?? error), ...(typeof known.hint === 'string' ? { hint: known.hint } : {}) } };
    };
    try {
      // What an operation answers leaves the process: receipts the executor admitted without
      // waiting for the disk are written and made durable first (embedded-world.ts receipts()).
      this.world.syncDurable();
      const value = this.run(op, (typeof args === 'object' && args !== null ? args : {}) as Args);
      // A few operations (a governance shadow) run asynchronously in the world's thread.
      if (value instanceof Promise) return value.then((settled): OpResult => ({ ok: true, value: settled }), failed);
      return { ok: true, value };
    } catch (error) {
      return failed(error);
    }
  }

  private run(op: string, args: Args): unknown {
    switch (op) {
      case 'info': return this.info();
      case 'encode_event': return this.encodeEvent(text(args, 'schema'), args);
      case 'records': return this.records(args['heights']);
      case 'head': return { next_height: this.world.head.height, head: this.world.head.hash };
      case 'tail': return this.tail(count(args, 'from', 0, 0), Math.min(count(args, 'limit', 100, 1), NODE_JOURNAL_PAGE_MAX), optionalText(args, 'kind'));
      case 'state': return this.state(text(args, 'workflow'), args['key']);
      case 'cells': return this.cells(text(args, 'workflow'));
      case 'receipts': return { receipts: listReceipts(this.world, args['intent'] === undefined ? undefined : hashArg(args, 'intent')) };
      case 'receipt': return showReceipt(this.world, hashArg(args, 'intent'));
      case 'open_intents': return { open: [...this.world.openIntents().values()].map((intent) => this.describeIntent(intent)), problems: [...(this.executor?.problems ?? [])] };
      case 'approvals': return { pending: this.world.pendingApprovals().map((intent) => this.describeIntent(intent)) };
      case 'approve': return this.approve(hashArg(args, 'intent'), text(args, 'decision'), text(args, 'key'));
      case 'cas_get': return { bytes: this.world.cas.get(hashArg(args, 'hash')) };
      case 'cas_put': return { hash: this.world.cas.put(bytesArg(args, 'bytes')) };
      case 'trace': return this.trace(hashArg(args, 'event'));
      case 'proposals': return { proposals: this.world.proposals() };
      case 'workspaces': return { workspaces: new WorldWorkspaceRegistry(this.world).workspaces().map(({ workspace, history }) => ({ workspace, latest: history.latest, versions: [...history.versions].map(([version, meta]) => ({ version, root_hash: meta.root_hash, owner: meta.owner, created_at: meta.created_at })) })) };
      default:
        if (GOVERNANCE_OPS.has(op)) return governanceOp(this.world, op, args, () => this.dispatch());
        if (CLI_OPS.has(op)) return runCliOp(this.world, { dispatch: () => this.dispatch(), restartExecutor: () => this.restartExecutor() }, op, args);
        throw new NodeError('BAD_INPUT', `no operation ${op} on a hosted world`);
    }
  }

  private info() {
    const world = this.world;
    return {
      manifest: world.view.hash, next_height: world.head.height, head: world.head.hash, durable_height: world.durableHeight,
      open_intents: world.openIntents().size, pending_approvals: world.pendingApprovals().length, latest_snapshot: world.latestSnapshotHash(),
      workflows: [...world.view.modules.keys()].filter((name) => !name.startsWith('sys/')),
      events: world.view.routes.map((route) => route.event), effects_running: this.executor?.inFlight.size ?? 0,
    };
  }

  /** A value given as JSON (`json`: a JSON text, exact for 64-bit integers; else parsed JSON) as the canonical bytes of `schema`. */
  private typed(schema: string, value: { json: string } | { parsed: unknown }, what: string): Uint8Array {
    if (this.world.view.index.resolve(schema) === undefined) {
      throw new NodeError('BAD_INPUT', `schema ${schema} is not defined in this world`, `events it routes: ${this.world.view.routes.map((route) => route.event).join(', ') || 'none'}`);
    }
    const json = 'json' in value ? parseJsonExact(value.json) : value.parsed as CborValue;
    return encodeCanonical(valueFromJson(json, { ref: schema }, this.world.view.index, { path: what }), { selfDescribe: false });
  }

  /** The event of `args.value` (parsed JSON) or `args.value_json` (JSON text). */
  private encodeEvent(schema: string, args: Args): { schema: string; value: Uint8Array } {
    const json = optionalText(args, 'value_json');
    return { schema, value: json !== undefined ? this.typed(schema, { json }, 'value_json') : this.typed(schema, { parsed: args['value'] }, 'value') };
  }

  private records(heights: unknown): RecordJson[] {
    if (!Array.isArray(heights) || !heights.every((height) => Number.isSafeInteger(height))) throw new NodeError('BAD_INPUT', 'heights must be a list of heights');
    return (heights as number[]).flatMap((height) => this.world.tail(height, 1).map(recordJson));
  }

  private tail(from: number, limit: number, kind: string | undefined) {
    return { head: this.world.head, records: this.world.tail(from, limit, kind).map(recordJson) };
  }

  private workflow(workflow: string) {
    const module = this.world.view.modules.get(workflow);
    if (module === undefined) throw new NodeError('BAD_INPUT', `no workflow ${workflow} in this world`, `its workflows: ${[...this.world.view.modules.keys()].filter((name) => !name.startsWith('sys/')).join(', ')}`);
    return module;
  }

  /** A workflow's state in the sugar lens of its state schema (raw CBOR JSON when it declares none). */
  private state(workflow: string, keyJson: unknown) {
    const module = this.workflow(workflow);
    if (module.key_schema !== undefined && (keyJson === undefined || keyJson === null)) throw new NodeError('BAD_INPUT', `${workflow} is keyed by ${module.key_schema}`, `pass its key as JSON text, or list its cells (GET /worlds/<id>/cells?workflow=${workflow})`);
    if (keyJson !== undefined && keyJson !== null && typeof keyJson !== 'string') throw new NodeError('BAD_INPUT', 'key must be the cell key as JSON text');
    const key = keyJson === undefined || keyJson === null || module.key_schema === undefined ? null : this.typed(module.key_schema, { json: keyJson }, 'key');
    const bytes = this.world.state(workflow, key);
    const schema = module.abi.workflow?.state;
    const state = bytes === null ? null : schema === undefined ? toJsonValue(decodeCanonical(bytes)) : valueToSugarJson(decodeCanonical(bytes), { ref: schema }, this.world.view.index);
    return { workflow, key: typeof keyJson === 'string' ? parseJsonExact(keyJson) : null, state };
  }

  private cells(workflow: string) {
    const cells = this.world.cells(workflow).map((cell) => ({
      key: cell.key === null ? null : toJsonValue(decodeCanonical(cell.key)), status: cell.status, state_bytes: cell.state?.length ?? 0, open_intents: cell.open.size,
    }));
    return { workflow, cells };
  }

  /** The why-graph of a domain event (what it caused), and the diagnosis of how it ended. */
  private trace(eventHash: Hash) {
    const journal = (function* (world: EmbeddedWorld, from: number) {
      for (let height = from; height < world.head.height; height += NODE_JOURNAL_PAGE_MAX) yield* world.tail(height, NODE_JOURNAL_PAGE_MAX);
    });
    const root = firstEventWithHash(journal(this.world, 0), eventHash);
    if (root === undefined) throw new NodeError('BAD_INPUT', `no domain event with hash ${eventHash} in this world`, 'list its events with GET /worlds/<id>/journal?kind=domain_event');
    const records: SealedRecord[] = [];
    for (const record of journal(this.world, root.height)) {
      if (records.length >= NODE_TRACE_RECORDS_MAX) break;
      records.push(record);
    }
    const graph = traceFrom(records, root.height);
    if (graph === null) throw new NodeError('BAD_INPUT', `height ${root.height} holds no domain event`);
    const isAwaitingEvent = (module: string, key: Uint8Array | null): boolean => this.world.view.modules.has(module)
      && this.world.cells(module).find((cell) => (cell.key === null || key === null ? cell.key === key : Buffer.from(cell.key).equals(key)))?.status === 'running';
    return {
      root: recordJson(graph.root), nodes: graph.nodes.map(recordJson), edges: graph.edges,
      truncated: (records.at(-1)?.height ?? root.height) + 1 < this.world.head.height, diagnosis: diagnose(graph, { isAwaitingEvent }),
    };
  }

  private describeIntent(intent: OpenIntent) {
    const policy = this.world.view.authority.approval;
    const approvers = intent.approval?.approvers ?? [];
    return {
      intent_hash: intent.hash, effect_kind: intent.kind, grant: intent.grant, module: intent.module,
      key: intent.key === null ? null : toJsonValue(decodeCanonical(intent.key)), emitted_at: intent.emittedAt, waiting_for_approval: intent.approval !== null,
      approvals: approvers.map((key) => ({ principal: policy?.principals.get(key) ?? null, public_key: key })), quorum: policy?.quorum ?? null,
    };
  }

  /** Signs a decision with a principal key the node holds (<root>/.aos/keys) and admits it. */
  private approve(intent: Hash, decision: string, keyName: string) {
    if (decision !== 'approve' && decision !== 'deny') throw new NodeError('BAD_INPUT', `decision must be "approve" or "deny", not ${JSON.stringify(decision)}`);
    const signer = loadApprovalSigner(this.world.dir, keyName);
    const records = this.world.approve(intent, decision as ApprovalDecision, signer);
    this.dispatch();
    const open = this.world.openIntents().get(intent);
    const outcome = open === undefined ? 'denied' : open.approval === null ? 'approved' : 'pending';
    return { intent_hash: intent, decision, principal: { name: signer.name, public_key: signer.keyId }, outcome, height: records[0]?.height ?? null, approvals: open?.approval?.approvers.length ?? null, quorum: this.world.view.authority.approval?.quorum ?? null };
  }
}
