// One input, serviced to completion: route, step, journal (DESIGN §6). The same input and
// state always yield the same records; live execution and replay both go through here.
import { encodeCanonical } from '../cbor/index.ts';
import type { CborValue, Hash } from '../cbor/index.ts';
import { AirError } from '../air/index.ts';
import type { DefModule } from '../air/index.ts';
import { CborError } from '../cbor/index.ts';
import type { OutputEffect, WorkflowOutput } from '../sandbox/index.ts';
import type { Cell, CellTable } from './cells.ts';
import { workflowContext } from './context.ts';
import { KernelError } from './errors.ts';
import { bytesAtPath, wrapInVariant } from './event-bytes.ts';
import { eventHashOf } from './event-hash.ts';
import { idempotencyKey, intentHash } from './intents.ts';
import { DELIVERIES_PER_INPUT_MAX, RECORDS_PER_INPUT_MAX } from './limits.ts';
import { RECEIPT_ENVELOPE_SCHEMA, variantTagFor } from './manifest-view.ts';
import type { ManifestView } from './manifest-view.ts';
import type { ModuleProvider } from './module-provider.ts';
import type { OpenIntent } from './open-work.ts';
import type { IngressStamp, RecordBody } from './records.ts';
import { canonicalTyped } from './typed-bytes.ts';
import type { TypedBytes } from './typed-bytes.ts';

/** A step to run: an event for one instance. */
interface Delivery {
  readonly module: DefModule;
  readonly key: Uint8Array | null;
  readonly schema: string;
  readonly value: Uint8Array;
  readonly eventHash: Hash;
  readonly cause: number;
}

/** What the run needs from the world; it appends bodies through `append`, which returns their height. */
export interface RunWorld {
  readonly view: ManifestView;
  readonly cells: CellTable;
  readonly open: Map<Hash, OpenIntent>;
  readonly modules: ModuleProvider;
  append(body: RecordBody): number;
}

/** Services one input whose ingress record is already appended at `cause`. */
export class InputRun {
  private deliveries = 0;
  private records = 0;
  private readonly queue: Delivery[] = [];

  constructor(private readonly world: RunWorld, private readonly stamp: IngressStamp, private readonly aborts: ReadonlySet<number>) {}

  /** Routes a domain event (already journaled at `height`) to its subscribers, in manifest order. */
  routeEvent(schema: string, typed: TypedBytes, eventHash: Hash, height: number): void {
    for (const route of this.world.view.routes) {
      if (route.event !== schema) continue;
      const module = this.world.view.modules.get(route.module);
      if (module === undefined) continue;
      const key = route.keyPath === undefined ? null : keyAt(typed.bytes, route.keyPath, schema, route.module);
      const moduleEvent = module.abi.workflow?.event ?? schema;
      const delivered = route.wrapTag === undefined ? typed.bytes : wrapInVariant(route.wrapTag, typed.bytes);
      this.queue.push({ module, key, schema: moduleEvent, value: delivered, eventHash, cause: height });
    }
  }

  /** Queues a receipt for the instance that emitted the intent (never through routing). */
  deliverReceipt(intent: OpenIntent, envelope: CborValue, height: number, eventHash: Hash): void {
    const module = this.world.view.modules.get(intent.module);
    if (module === undefined) {
      this.append({ kind: 'workflow_fault', module: intent.module, ...(intent.key !== null ? { key: intent.key } : {}), failure: { kind: 'receipt_undeliverable', message: `module ${intent.module} is no longer in the manifest` }, cause: height });
      return;
    }
    const moduleEvent = module.abi.workflow?.event ?? RECEIPT_ENVELOPE_SCHEMA;
    const tag = moduleEvent === RECEIPT_ENVELOPE_SCHEMA ? undefined : variantTagFor(this.world.view.index.resolve(moduleEvent), RECEIPT_ENVELOPE_SCHEMA);
    if (moduleEvent !== RECEIPT_ENVELOPE_SCHEMA && tag === undefined) {
      this.append({ kind: 'workflow_fault', module: intent.module, ...(intent.key !== null ? { key: intent.key } : {}), failure: { kind: 'receipt_undeliverable', message: `module ${intent.module}'s event ${moduleEvent} has no alternative for ${RECEIPT_ENVELOPE_SCHEMA}, so it cannot receive receipts` }, cause: height });
      return;
    }
    const value = tag === undefined ? envelope : { $tag: tag, $value: envelope };
    this.queue.push({ module, key: intent.key, schema: moduleEvent, value: encodeCanonical(value, { selfDescribe: false }), eventHash, cause: height });
  }

  /** Runs queued deliveries until none are left; events emitted on the way are journaled and routed in turn. */
  drain(): void {
    for (let delivery = this.queue.shift(); delivery !== undefined; delivery = this.queue.shift()) {
      this.deliveries += 1;
      if (this.deliveries > DELIVERIES_PER_INPUT_MAX) {
        throw new KernelError('RUNAWAY', `one input caused more than ${DELIVERIES_PER_INPUT_MAX} steps; a workflow keeps emitting events that route back to it`);
      }
      this.step(delivery, this.deliveries - 1);
    }
  }

  private append(body: RecordBody): number {
    this.records += 1;
    if (this.records > RECORDS_PER_INPUT_MAX) throw new KernelError('RUNAWAY', `one input produced more than ${RECORDS_PER_INPUT_MAX} records`);
    return this.world.append(body);
  }

  private step(delivery: Delivery, index: number): void {
    const cell = this.world.cells.ensure(delivery.module.name, delivery.key);
    if (this.aborts.has(index)) {
      this.fail(cell, delivery, { kind: 'aborted', message: 'the step overran the wall-clock deadline and was aborted; the module may loop inside a native built-in' });
      return;
    }
    const workflow = delivery.module.abi.workflow;
    const ctx = workflow?.context === undefined ? undefined : workflowContext(this.stamp, delivery.cause, delivery.eventHash, delivery.module.name, delivery.key);
    const runtime = this.world.modules.runtime(delivery.module);
    this.world.modules.willStep?.(index);
    const result = runtime.step(encodeInput(cell.state, delivery, ctx));
    if (result.kind !== 'ok') {
      this.fail(cell, delivery, { kind: result.kind, message: result.message, ...('code' in result ? { code: result.code } : {}), ...('limit' in result ? { limit: result.limit } : {}) });
      return;
    }
    try {
      // The js host writes every inner value itself with our canonical encoder; a wasm module
      // writes its own bytes, which must be decoded strictly.
      this.applyOutput(cell, delivery, result.output, runtime.runtime === 'js');
    } catch (error) {
      if (!(error instanceof AirError || error instanceof CborError || error instanceof OutputError)) throw error;
      this.fail(cell, delivery, { kind: 'invalid_output', message: error.message });
    }
  }

  private fail(cell: Cell, delivery: Delivery, failure: { kind: string; message: string; code?: string; limit?: string }): void {
    cell.status = 'failed';
    this.append({ kind: 'workflow_fault', module: delivery.module.name, ...(delivery.key !== null ? { key: delivery.key } : {}), failure, cause: delivery.cause });
  }

  /** Checks the whole output before anything of it takes effect: a bad part fails the step, not half of it. */
  private applyOutput(cell: Cell, delivery: Delivery, output: WorkflowOutput, hostEncoded: boolean): void {
    const module = delivery.module;
    const workflow = module.abi.workflow;
    if (workflow === undefined) throw new OutputError(`module ${module.name} has no workflow ABI`);
    const schemas = this.world.view.index;
    const state = output.state === null ? null : canonicalTyped(output.state, workflow.state, schemas, 'state', hostEncoded).bytes;
    const events = output.domain_events.map((event, position) => {
      if (schemas.resolve(event.schema) === undefined) throw new OutputError(`domain_events[${position}] has schema ${event.schema}, which this world does not define`);
      const typed = canonicalTyped(event.value, event.schema, schemas, `domain_events[${position}].value`, hostEncoded);
      return { schema: event.schema, typed, ...(event.key !== undefined ? { key: event.key } : {}) };
    });
    const intents = output.effects.map((effect, position) => this.checkEffect(module, delivery, effect, position, hostEncoded));
    if (state === null && delivery.key !== null) {
      this.world.cells.delete(module.name, delivery.key);
    } else {
      cell.state = state;
    }
    for (const event of events) this.emitEvent(module, delivery, event);
    for (const intent of intents) this.openIntent(cell, intent);
    cell.status = cell.open.size > 0 ? 'waiting' : state === null ? 'completed' : 'running';
  }

  private emitEvent(module: DefModule, delivery: Delivery, event: { schema: string; typed: TypedBytes; key?: Uint8Array }): void {
    const eventHash = eventHashOf(event.schema, event.typed.bytes, event.key);
    const origin = { kind: 'workflow' as const, module: module.name, ...(delivery.key !== null ? { key: delivery.key } : {}) };
    const height = this.append({ kind: 'domain_event', schema: event.schema, value: event.typed.bytes, ...(event.key !== undefined ? { key: event.key } : {}), event_hash: eventHash, origin, cause: delivery.cause });
    this.routeEvent(event.schema, event.typed, eventHash, height);
  }

  private checkEffect(module: DefModule, delivery: Delivery, effect: OutputEffect, position: number, hostEncoded: boolean): PendingIntent {
    const allowed = module.abi.workflow?.effects_emitted ?? [];
    if (!allowed.includes(effect.kind)) {
      throw new OutputError(`effects[${position}] is a "${effect.kind}" effect, which ${module.name} does not declare in effects_emitted (${allowed.join(', ') || 'none'})`);
    }
    const def = this.world.view.effects.get(effect.kind);
    if (def === undefined) throw new OutputError(`effects[${position}] is a "${effect.kind}" effect, which the manifest does not list`);
    const params = canonicalTyped(effect.params_cbor, def.params_schema, this.world.view.index, `effects[${position}].params`, hostEncoded).bytes;
    const key = idempotencyKey(effect.idempotency_key, module.name, delivery.key, delivery.cause, position);
    const cap = effect.cap_slot ?? '';
    return { kind: effect.kind, params, key, cap, hash: intentHash(effect.kind, params, cap, key), issuerRef: effect.issuer_ref, module: module.name, instanceKey: delivery.key, cause: delivery.cause };
  }

  private openIntent(cell: Cell, intent: PendingIntent): void {
    if (this.world.open.has(intent.hash)) return; // the same intent emitted again is the same open work
    const height = this.append({
      kind: 'effect_intent', intent_hash: intent.hash, effect_kind: intent.kind, params: intent.params,
      ...(intent.cap !== '' ? { cap_slot: intent.cap } : {}), ...(intent.issuerRef !== undefined ? { issuer_ref: intent.issuerRef } : {}),
      idempotency_key: intent.key, origin: { module: intent.module, ...(intent.instanceKey !== null ? { key: intent.instanceKey } : {}) }, cause: intent.cause,
    });
    this.world.open.set(intent.hash, {
      hash: intent.hash, kind: intent.kind, params: intent.params, module: intent.module, key: intent.instanceKey,
      issuerRef: intent.issuerRef, emittedAt: height, idempotencyKey: intent.key, capSlot: intent.cap,
    });
    cell.open.add(intent.hash);
  }
}

interface PendingIntent {
  readonly kind: string;
  readonly params: Uint8Array;
  readonly key: Uint8Array;
  readonly cap: string;
  readonly hash: Hash;
  readonly issuerRef: string | undefined;
  readonly module: string;
  readonly instanceKey: Uint8Array | null;
  readonly cause: number;
}

/** A module output that breaks its contract (schema, effects_emitted): fails the instance, not the world. */
class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** The step envelope of DESIGN §5, its objects built in canonical key order so the encoder need not sort. */
function encodeInput(state: Uint8Array | null, delivery: Delivery, ctx: Uint8Array | undefined): Uint8Array {
  const event = delivery.key !== null ? { key: delivery.key, value: delivery.value, schema: delivery.schema } : { value: delivery.value, schema: delivery.schema };
  const envelope = ctx !== undefined ? { ctx, event, state, version: 1 } : { event, state, version: 1 };
  return encodeCanonical(envelope, { selfDescribe: false });
}

/** The key of a keyed route: the value at `path` in the event, as canonical CBOR bytes. */
function keyAt(bytes: Uint8Array, path: readonly string[], schema: string, module: string): Uint8Array {
  const key = bytesAtPath(bytes, path);
  if (key === undefined) throw new KernelError('INVALID_EVENT', `event ${schema} has no key at "${path.join('.')}" for keyed module ${module}`);
  return key.slice();
}
