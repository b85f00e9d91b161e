// One input, serviced to completion: route, step, journal (DESIGN §6). The same input and
// state always yield the same records; live execution and replay both go through here.
import { assert, encodeCanonical, hashBytes } from '../cbor/index.ts';
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
import { carriedReceipt } from './receipt-carriers.ts';
import { decideEffect, denialOf, isDenied } from './authorize.ts';
import type { CheckEnv, EffectDecision, EffectRequest } from './authorize.ts';
import { StepBudgets } from './budgets.ts';
import { STREAM_FRAME_SCHEMA } from './stream-frames.ts';
import type { BudgetLedger } from './budgets.ts';
import { idempotencyKey, intentHash } from './intents.ts';
import { DELIVERIES_PER_INPUT_MAX, RECORDS_PER_INPUT_MAX } from './limits.ts';
import { RECEIPT_ENVELOPE_SCHEMA, RECEIPT_REJECTED_SCHEMA, variantTagFor } from './manifest-view.ts';
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
  readonly budgets: BudgetLedger;
  append(body: RecordBody): number;
  /** The hash of the last record appended. */
  headHash(): Hash;
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
    if (!this.queueFor(module, intent.key, RECEIPT_ENVELOPE_SCHEMA, envelope, height, eventHash)) {
      const moduleEvent = module.abi.workflow?.event ?? RECEIPT_ENVELOPE_SCHEMA;
      this.append({ kind: 'workflow_fault', module: intent.module, ...(intent.key !== null ? { key: intent.key } : {}), failure: { kind: 'receipt_undeliverable', message: `module ${intent.module}'s event ${moduleEvent} has no alternative for ${RECEIPT_ENVELOPE_SCHEMA}, so it cannot receive receipts` }, cause: height });
    }
  }

  /**
   * Queues `envelope`, a value of `schema`, for an instance of `module`: as its event when the
   * module's event is `schema`, wrapped in the arm that refers to `schema` when it is a variant
   * with one; false (nothing queued) when it takes neither.
   */
  private queueFor(module: DefModule, key: Uint8Array | null, schema: string, envelope: CborValue, height: number, eventHash: Hash): boolean {
    const moduleEvent = module.abi.workflow?.event ?? schema;
    const tag = moduleEvent === schema ? undefined : variantTagFor(this.world.view.index.resolve(moduleEvent), schema);
    if (moduleEvent !== schema && tag === undefined) return false;
    const value = tag === undefined ? envelope : { $tag: tag, $value: envelope };
    this.queue.push({ module, key, schema: moduleEvent, value: encodeCanonical(value, { selfDescribe: false }), eventHash, cause: height });
    return true;
  }

  /** True when `module`'s event takes sys/EffectReceiptRejected@1 (itself, or a variant arm for it). */
  private takesRejections(module: DefModule): boolean {
    const moduleEvent = module.abi.workflow?.event;
    if (moduleEvent === undefined) return false;
    return moduleEvent === RECEIPT_REJECTED_SCHEMA || variantTagFor(this.world.view.index.resolve(moduleEvent), RECEIPT_REJECTED_SCHEMA) !== undefined;
  }

  /**
   * Queues a stream frame for the instance that emitted the intent, when its module's event is
   * sys/EffectStreamFrame@1 or a variant with an arm for it; otherwise the frame stays journaled only.
   */
  deliverStreamFrame(intent: OpenIntent, envelope: CborValue, height: number, eventHash: Hash): void {
    const module = this.world.view.modules.get(intent.module);
    const moduleEvent = module?.abi.workflow?.event;
    if (module === undefined || moduleEvent === undefined) return;
    const tag = moduleEvent === STREAM_FRAME_SCHEMA ? undefined : variantTagFor(this.world.view.index.resolve(moduleEvent), STREAM_FRAME_SCHEMA);
    if (moduleEvent !== STREAM_FRAME_SCHEMA && tag === undefined) return;
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

  /**
   * Checks the whole output before anything of it takes effect: a bad part fails the step, not
   * half of it. State, events and effects are checked for shape first; then each effect, in
   * emission order, is authorised (grant, enforcer, expiry, secrets, policy: authorize.ts).
   *
   * Journal order of a step whose effects are all allowed: per effect its cap_decision, its
   * policy_decision and its effect_intent; then the emitted domain events. The first denied
   * effect ends the authorisation (later effects are not decided) and fails the instance: the
   * decisions made so far are journaled (allows before it included: every decision made is
   * journaled, and none of them opens an intent), then a workflow_fault `effect_denied` naming the
   * code; the state, the events and every intent of that step are dropped. A module whose event
   * takes sys/EffectReceiptRejected@1 is not failed: every effect is decided, the step takes
   * effect, and each denied effect settles as a rejection to the instance (rejectDenied).
   */
  private applyOutput(cell: Cell, delivery: Delivery, output: WorkflowOutput, hostEncoded: boolean): void {
    const module = delivery.module;
    const workflow = module.abi.workflow;
    if (workflow === undefined) throw new OutputError(`module ${module.name} has no workflow ABI`);
    const schemas = this.world.view.index;
    const state = output.state === null ? null : canonicalTyped(output.state, workflow.state, schemas, 'state', hostEncoded).bytes;
    const events = output.domain_events.map((event, position) => {
      if (schemas.resolve(event.schema) === undefined) throw new OutputError(`domain_events[${position}] has schema ${event.schema}, which this world does not define`);
      const typed = canonicalTyped(event.value, event.schema, schemas, `domain_events[${position}].value`, hostEncoded);
      const carried = carriedReceipt(event.schema, typed.bytes, schemas);
      if (carried !== undefined) throw new OutputError(`domain_events[${position}] is a ${event.schema} carrying a ${carried}: receipts reach workflows only from the kernel, so a workflow may not emit one`);
      return { schema: event.schema, typed, ...(event.key !== undefined ? { key: event.key } : {}) };
    });
    // A step without effects (most steps) does no authorisation work and allocates nothing for it.
    const takesRejections = output.effects.length > 0 && this.takesRejections(module);
    const decided = output.effects.length === 0 ? NO_DECISIONS : this.decideEffects(delivery, output.effects.map((effect, position) => this.checkEffect(module, delivery, effect, position, hostEncoded)), takesRejections);
    const last = decided[decided.length - 1];
    if (!takesRejections && last !== undefined && isDenied(last.decision)) {
      for (const entry of decided) this.journalDecision(entry, delivery);
      this.fail(cell, delivery, { kind: 'effect_denied', ...denialOf(last.decision, last.effect, last.effect.position) });
      return;
    }
    if (state === null && delivery.key !== null) {
      this.world.cells.delete(module.name, delivery.key);
    } else {
      cell.state = state;
    }
    if (decided.length > 0) this.admitEffects(cell, delivery, decided);
    for (const event of events) this.emitEvent(module, delivery, event);
    cell.status = cell.open.size > 0 ? 'waiting' : state === null ? 'completed' : 'running';
  }

  /**
   * A denied effect of a module that takes sys/EffectReceiptRejected@1 settles at once: the
   * instance gets a rejection naming the denial (status "denied", the decision's code and
   * message), queued like a receipt, so it can answer (an agent shows the model an error result)
   * instead of failing. Nothing opened, so nothing is charged; the decisions are journaled.
   */
  private rejectDenied(delivery: Delivery, entry: DecidedEffect, decidedAt: number): void {
    const { effect, decision, hash } = entry;
    const denial = denialOf(decision, effect, effect.position);
    const envelope = {
      origin_module_id: effect.module, origin_instance_key: delivery.key, intent_id: hash, effect_kind: effect.kind,
      params_hash: hashBytes(effect.params.bytes), issuer_ref: effect.issuerRef ?? null, adapter_id: DENIAL_ADAPTER_ID, status: DENIED_STATUS,
      error_code: denial.code, error_message: denial.message, payload_hash: hashBytes(NO_PAYLOAD), payload_size: 0, emitted_at_seq: decidedAt,
    };
    const queued = this.queueFor(delivery.module, delivery.key, RECEIPT_REJECTED_SCHEMA, envelope, decidedAt, hashBytes(encodeCanonical(envelope)));
    assert(queued, 'only a module that takes rejections has its denials settled as rejections');
  }

  private emitEvent(module: DefModule, delivery: Delivery, event: { schema: string; typed: TypedBytes; key?: Uint8Array }): void {
    const eventHash = eventHashOf(event.schema, event.typed.bytes, event.key);
    const origin = { kind: 'workflow' as const, module: module.name, ...(delivery.key !== null ? { key: delivery.key } : {}) };
    const height = this.append({ kind: 'domain_event', schema: event.schema, value: event.typed.bytes, ...(event.key !== undefined ? { key: event.key } : {}), event_hash: eventHash, origin, cause: delivery.cause });
    this.routeEvent(event.schema, event.typed, eventHash, height);
  }

  /** The structural checks of one effect: declared by the module, listed by the manifest, params of the effect's schema. */
  private checkEffect(module: DefModule, delivery: Delivery, effect: OutputEffect, position: number, hostEncoded: boolean): CheckedEffect {
    const allowed = module.abi.workflow?.effects_emitted ?? [];
    if (!allowed.includes(effect.kind)) {
      throw new OutputError(`effects[${position}] is a "${effect.kind}" effect, which ${module.name} does not declare in effects_emitted (${allowed.join(', ') || 'none'})`);
    }
    const def = this.world.view.effects.get(effect.kind);
    if (def === undefined) throw new OutputError(`effects[${position}] is a "${effect.kind}" effect, which the manifest does not list`);
    const params = canonicalTyped(effect.params_cbor, def.params_schema, this.world.view.index, `effects[${position}].params`, hostEncoded);
    return {
      kind: effect.kind, capType: def.cap_type, paramsSchema: def.params_schema, slot: effect.cap_slot, params, module: module.name, position,
      key: idempotencyKey(effect.idempotency_key, module.name, delivery.key, delivery.cause, position), issuerRef: effect.issuer_ref,
    };
  }

  /**
   * Authorises the effects in emission order: up to and including the first one denied, or every
   * one when the module takes rejections (`all`: its denials settle as rejections).
   */
  private decideEffects(delivery: Delivery, effects: readonly CheckedEffect[], all: boolean): DecidedEffect[] {
    const view = this.world.view;
    // Each effect's budget check counts what the allowed effects before it in this step reserve.
    const budgets = new StepBudgets(this.world.budgets);
    const env: CheckEnv = {
      authority: view.authority, budgets, modules: this.world.modules, schemas: view.index,
      logicalNowNs: this.stamp.logical_now_ns, journalHeight: delivery.cause, manifestHash: view.hash,
    };
    const decided: DecidedEffect[] = [];
    for (const effect of effects) {
      const decision = decideEffect(effect, env);
      // Denied before a grant resolved, the intent is named with an empty grant.
      const hash = intentHash(effect.kind, effect.params.bytes, decision.grant?.name ?? '', effect.key);
      decided.push({ effect, decision, hash });
      if (isDenied(decision)) {
        if (all) continue;
        break;
      }
      if (decision.reserved !== undefined && decision.grant !== null && !this.world.open.has(hash)) budgets.add(decision.grant.name, hash, decision.reserved);
    }
    return decided;
  }

  /**
   * Journals the decisions on a step's effects and opens the allowed ones as intents; a denied one
   * (only of a module that takes rejections) settles as a rejection to the instance.
   */
  private admitEffects(cell: Cell, delivery: Delivery, decided: readonly DecidedEffect[]): void {
    for (const entry of decided) {
      const decidedAt = this.journalDecision(entry, delivery);
      if (isDenied(entry.decision)) {
        this.rejectDenied(delivery, entry, decidedAt);
        continue;
      }
      // require_approval: the intent opens as open work awaiting approval, which no executor
      // starts until principals of the approval policy approve it (World.submitApproval).
      const policy = entry.decision.policy?.decision;
      if (policy === 'allow' || policy === 'require_approval') this.openIntent(cell, entry, delivery, policy === 'require_approval');
    }
  }

  /** Journals the cap (and policy) decision on one effect; returns the height of the last record. */
  private journalDecision(entry: DecidedEffect, delivery: Delivery): number {
    const { effect, decision, hash } = entry;
    const origin = { module: effect.module, ...(delivery.key !== null ? { key: delivery.key } : {}) };
    const cap = decision.cap;
    const capHeight = this.append({
      kind: 'cap_decision', intent_hash: hash, effect_kind: effect.kind, grant: decision.grant?.name ?? null, cap_type: effect.capType,
      decision: cap.allowed ? 'allow' : 'deny', ...(cap.allowed ? {} : { code: cap.code, message: cap.message }), origin, cause: delivery.cause,
    });
    const policy = decision.policy;
    if (policy === null) return capHeight;
    return this.append({ kind: 'policy_decision', intent_hash: hash, policy: policy.policy, rule_index: policy.ruleIndex, decision: policy.decision, origin, cause: delivery.cause });
  }

  private openIntent(cell: Cell, entry: DecidedEffect, delivery: Delivery, awaitingApproval: boolean): void {
    const { effect, hash } = entry;
    const grant = entry.decision.grant;
    assert(grant !== null, 'an allowed effect has a grant');
    if (this.world.open.has(hash)) return; // the same intent emitted again is the same open work
    const slot = effect.slot ?? '';
    const reserved = entry.decision.reserved ?? null;
    const height = this.append({
      kind: 'effect_intent', intent_hash: hash, effect_kind: effect.kind, params: effect.params.bytes, grant: grant.name,
      ...(slot !== '' ? { cap_slot: slot } : {}), ...(effect.issuerRef !== undefined ? { issuer_ref: effect.issuerRef } : {}),
      idempotency_key: effect.key, ...(awaitingApproval ? { awaiting_approval: true as const } : {}),
      ...(reserved === null ? {} : { reserved: { cost_cents: reserved.costCents, tokens: reserved.tokens, count: reserved.count } }),
      origin: { module: effect.module, ...(delivery.key !== null ? { key: delivery.key } : {}) }, cause: delivery.cause,
    });
    this.world.open.set(hash, {
      hash, kind: effect.kind, params: effect.params.bytes, module: effect.module, key: delivery.key,
      issuerRef: effect.issuerRef, emittedAt: height, idempotencyKey: effect.key, capSlot: slot, grant: grant.name,
      approval: awaitingApproval ? { record: this.world.headHash(), approvers: [] } : null, reserved, frames: 0,
    });
    if (reserved !== null) this.world.budgets.reserve(grant.name, reserved);
    cell.open.add(hash);
  }
}

/** An effect that passed the structural checks, with what its intent needs. */
interface CheckedEffect extends EffectRequest {
  readonly position: number;
  readonly key: Uint8Array;
  readonly issuerRef: string | undefined;
}

/** An effect with the decisions on it and its intent hash. */
interface DecidedEffect {
  readonly effect: CheckedEffect;
  readonly decision: EffectDecision;
  readonly hash: Hash;
}

const NO_DECISIONS: readonly DecidedEffect[] = Object.freeze([]);
/** The adapter_id of a rejection the kernel settles for a denied effect: no adapter ran. */
export const DENIAL_ADAPTER_ID = 'kernel';
/** The status of such a rejection. */
export const DENIED_STATUS = 'denied';
const NO_PAYLOAD = new Uint8Array(0);

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
