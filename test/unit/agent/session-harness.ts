// A small stand-in for the kernel around the bundled session workflow: it threads the state,
// keeps the effects the session emitted, and answers them with hand-built receipts. Blob effects
// are served from an in-memory CAS; llm.generate from scripted replies written as the LLM adapter
// writes them (an output envelope, a tool-call list, one arguments blob per call).
import { join } from 'node:path';
import { encodeCanonical, hashBytes } from '../../../src/cbor/index.ts';
import type { CborValue } from '../../../src/cbor/index.ts';
import { bundleModule } from '../../../src/cli/build/index.ts';
import { loadBundle } from '../../../src/sdk/testing.ts';
import type { TestModule, TestStepOutput } from '../../../src/sdk/testing.ts';
import { transcriptSegmentOf } from '../../../src/agent/compaction.ts';
import type { TranscriptSegment } from '../../../src/agent/compaction.ts';

export const SESSION_ID = '11111111-1111-4111-8111-111111111111';
const EVENT = 'aos.agent/SessionWorkflowEvent@1';
const ENCODER = new TextEncoder();
const DECODER = new TextDecoder();

let bundled: Promise<TestModule> | undefined;
export function sessionModule(): Promise<TestModule> {
  bundled ??= bundleModule(join(import.meta.dirname, '../../../src/agent/session-workflow.ts'), { moduleName: 'aos.agent/SessionWorkflow@1' }).then((module) => loadBundle(module.bytes));
  return bundled;
}

export type Effect = TestStepOutput['effects'][number];
export interface ScriptedReply { readonly text?: string; readonly calls?: ReadonlyArray<{ id: string; name: string; args: string }> }

export class SessionHarness {
  state: CborValue = null;
  /** Effects emitted and not yet answered, in order. */
  open: Effect[] = [];
  readonly emitted: Effect[] = [];
  readonly events: Array<{ schema: string; value: CborValue }> = [];
  readonly cas = new Map<string, Uint8Array>();
  private seq = 0;
  private clock = 0;

  constructor(readonly module: TestModule) {}

  static async start(): Promise<SessionHarness> {
    return new SessionHarness(await sessionModule());
  }

  private apply(output: TestStepOutput): TestStepOutput {
    this.state = output.state;
    this.open.push(...output.effects);
    this.emitted.push(...output.effects);
    this.events.push(...output.events.map((event) => ({ schema: event.schema, value: event.value })));
    return output;
  }

  get(field: string): CborValue {
    return (this.state as Record<string, CborValue>)[field] ?? null;
  }

  lifecycle(): string {
    return (this.get('lifecycle') as { $tag: string }).$tag;
  }

  /** Sends one SessionIngress (its observed_at_ns counts up from 1 unless given). */
  ingress(kind: CborValue, observedAt?: number): TestStepOutput {
    this.clock = observedAt ?? this.clock + 1;
    return this.apply(this.module.step(this.state, { schema: EVENT, value: { $tag: 'Ingress', $value: { session_id: SESSION_ID, observed_at_ns: this.clock, ingress: kind } } }));
  }

  putBlob(text: string): string {
    const bytes = ENCODER.encode(text);
    const ref = hashBytes(bytes);
    this.cas.set(ref, bytes);
    return ref;
  }

  blobText(ref: string): string {
    const bytes = this.cas.get(ref);
    if (bytes === undefined) throw new Error(`no blob ${ref}`);
    return DECODER.decode(bytes);
  }

  /** Answers one open effect with `payload` (a receipt of its kind) and `status`. */
  answer(effect: Effect, payload: CborValue, status = 'ok'): TestStepOutput {
    this.open = this.open.filter((candidate) => candidate !== effect);
    this.seq += 1;
    const envelope = {
      origin_module_id: 'aos.agent/SessionWorkflow@1', origin_instance_key: null, intent_id: `sha256:${this.seq.toString(16).padStart(64, '0')}`,
      effect_kind: effect.kind, params_hash: hashBytes(encodeCanonical(effect.params, { selfDescribe: false })), issuer_ref: effect.issuer_ref ?? null,
      receipt_payload: encodeCanonical(payload, { selfDescribe: false }), status, emitted_at_seq: this.seq, adapter_id: `${effect.kind}.test`, cost_cents: null, signature: new Uint8Array(64),
    };
    return this.apply(this.module.step(this.state, { schema: EVENT, value: { $tag: 'Receipt', $value: envelope } }));
  }

  /** Rejects one open effect's receipt at admission (sys/EffectReceiptRejected@1). */
  reject(effect: Effect, code: string, message: string): TestStepOutput {
    this.open = this.open.filter((candidate) => candidate !== effect);
    this.seq += 1;
    const rejected = {
      origin_module_id: 'aos.agent/SessionWorkflow@1', origin_instance_key: null, intent_id: `sha256:${this.seq.toString(16).padStart(64, '0')}`, effect_kind: effect.kind,
      params_hash: null, issuer_ref: effect.issuer_ref ?? null, adapter_id: `${effect.kind}.test`, status: 'error', error_code: code, error_message: message,
      payload_hash: `sha256:${'0'.repeat(64)}`, payload_size: 0, emitted_at_seq: this.seq,
    };
    return this.apply(this.module.step(this.state, { schema: EVENT, value: { $tag: 'ReceiptRejected', $value: rejected } }));
  }

  /** Serves every open blob effect from the CAS until none is open; returns how many it served. */
  serveBlobs(): number {
    let served = 0;
    for (let effect = this.open.find(isBlob); effect !== undefined; effect = this.open.find(isBlob)) {
      const params = effect.params as { bytes?: Uint8Array; blob_ref?: string };
      if (effect.kind === 'blob.put') {
        const bytes = params.bytes ?? new Uint8Array();
        const ref = hashBytes(bytes);
        this.cas.set(ref, bytes);
        this.answer(effect, { blob_ref: ref, edge_ref: ref, size: bytes.length });
      } else {
        const bytes = this.cas.get(params.blob_ref ?? '');
        if (bytes === undefined) throw new Error(`the session reads ${params.blob_ref}, which is in no blob`);
        this.answer(effect, { blob_ref: params.blob_ref ?? '', size: bytes.length, bytes });
      }
      served += 1;
    }
    return served;
  }

  /** Answers the open llm.generate with a reply written as the LLM adapter writes it. */
  reply(reply: ScriptedReply, usage = { prompt: 10, completion: 5 }): TestStepOutput {
    const generate = this.soleOpen('llm.generate');
    let toolCallsRef: string | undefined;
    if (reply.calls !== undefined) {
      const list = reply.calls.map((call) => ({ call_id: call.id, tool_name: call.name, arguments_ref: this.putBlob(call.args) }));
      toolCallsRef = this.putBlob(JSON.stringify(list));
    }
    const outputRef = this.putBlob(JSON.stringify({ ...(reply.text === undefined ? {} : { assistant_text: reply.text }), ...(toolCallsRef === undefined ? {} : { tool_calls_ref: toolCallsRef }) }));
    return this.answer(generate, {
      output_ref: outputRef, raw_output_ref: null, provider_response_id: null, finish_reason: { reason: 'stop', raw: null },
      token_usage: { prompt: usage.prompt, completion: usage.completion, total: null }, usage_details: null, warnings_ref: null, rate_limit_ref: null, cost_cents: null, provider_id: 'test',
    });
  }

  /** The one open effect of `kind`; fails when there is none or several. */
  soleOpen(kind: string): Effect {
    const found = this.open.filter((effect) => effect.kind === kind);
    if (found.length !== 1) throw new Error(`expected one open ${kind}, found ${found.length} (open: ${this.open.map((effect) => effect.kind).join(', ') || 'none'})`);
    return found[0] as Effect;
  }

  /** Answers one open effect like answer(), with the envelope's cost_cents set. */
  answerCosting(effect: Effect, payload: CborValue, costCents: number | null, status = 'ok'): TestStepOutput {
    this.open = this.open.filter((candidate) => candidate !== effect);
    this.seq += 1;
    const envelope = {
      origin_module_id: 'aos.agent/SessionWorkflow@1', origin_instance_key: null, intent_id: `sha256:${this.seq.toString(16).padStart(64, '0')}`,
      effect_kind: effect.kind, params_hash: hashBytes(encodeCanonical(effect.params, { selfDescribe: false })), issuer_ref: effect.issuer_ref ?? null,
      receipt_payload: encodeCanonical(payload, { selfDescribe: false }), status, emitted_at_seq: this.seq, adapter_id: `${effect.kind}.test`, cost_cents: costCents, signature: new Uint8Array(64),
    };
    return this.apply(this.module.step(this.state, { schema: EVENT, value: { $tag: 'Receipt', $value: envelope } }));
  }

  /** Answers the open llm.generate with a reply, its usage and the envelope's cost. */
  replyCosting(reply: ScriptedReply, usage: { prompt: number; completion: number }, costCents: number | null): TestStepOutput {
    const outputRef = this.putBlob(JSON.stringify(reply.text === undefined ? {} : { assistant_text: reply.text }));
    return this.answerCosting(this.soleOpen('llm.generate'), {
      output_ref: outputRef, raw_output_ref: null, provider_response_id: null, finish_reason: { reason: 'stop', raw: null },
      token_usage: { prompt: usage.prompt, completion: usage.completion, total: null }, usage_details: null, warnings_ref: null, rate_limit_ref: null, cost_cents: costCents, provider_id: 'test',
    }, costCents);
  }

  /** Fails the open llm.generate as the LLM adapter does: status error or timeout, the code in finish_reason.raw. */
  failGenerate(code: string, status: 'error' | 'timeout' = 'error'): TestStepOutput {
    const outputRef = this.putBlob(JSON.stringify({ error: { code, message: `scripted ${code}`, retryable: false } }));
    return this.answer(this.soleOpen('llm.generate'), {
      output_ref: outputRef, raw_output_ref: null, provider_response_id: null, finish_reason: { reason: status, raw: code },
      token_usage: { prompt: 0, completion: 0, total: 0 }, usage_details: null, warnings_ref: null, rate_limit_ref: null, cost_cents: null, provider_id: 'test',
    }, status);
  }

  /** Fires the open timer.set (status ok): the receipt the timer adapter writes. */
  fireTimer(): TestStepOutput {
    const timer = this.soleOpen('timer.set');
    const params = timer.params as { deliver_at_ns: number | bigint; key: string | null };
    return this.answer(timer, { delivered_at_ns: params.deliver_at_ns, key: params.key });
  }

  /** Sends aos.agent/SessionLimitsSet@1 (through the event's LimitsSet arm). */
  limits(scope: 'Session' | 'Run', limits: { max_total_tokens?: number; max_cost_cents?: number; context_tokens_max?: number }): TestStepOutput {
    this.clock += 1;
    const value = { max_total_tokens: limits.max_total_tokens ?? null, max_cost_cents: limits.max_cost_cents ?? null, context_tokens_max: limits.context_tokens_max ?? null };
    return this.apply(this.module.step(this.state, { schema: EVENT, value: { $tag: 'LimitsSet', $value: { session_id: SESSION_ID, observed_at_ns: this.clock, scope: { $tag: scope }, limits: value } } }));
  }

  /** The whole transcript's refs: the archived segments' (newest last, from the CAS), then the state's. */
  wholeTranscriptRefs(): string[] {
    const segments: TranscriptSegment[] = [];
    for (let ref = (this.get('context') as { archive_ref: string | null }).archive_ref; ref !== null;) {
      const bytes = this.cas.get(ref);
      const segment = bytes === undefined ? null : transcriptSegmentOf(bytes);
      if (segment === null) throw new Error(`transcript segment ${ref} is not in the CAS or is not a segment`);
      segments.unshift(segment);
      ref = segment.previous;
    }
    return [...segments.flatMap((segment) => segment.refs), ...(this.get('conversation_message_refs') as string[])];
  }

  /** The whole transcript's messages, decoded from the CAS. */
  transcript(): unknown[] {
    return this.wholeTranscriptRefs().map((ref) => {
      const text = this.blobText(ref);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    });
  }
}

function isBlob(effect: Effect): boolean {
  return effect.kind === 'blob.put' || effect.kind === 'blob.get';
}

export function runRequested(input: string, provider = 'openai', model = 'gpt-5.2', extra: Record<string, CborValue> = {}): CborValue {
  return {
    $tag: 'RunRequested',
    $value: {
      input_ref: input,
      run_overrides: { provider, model, reasoning_effort: null, max_tokens: 512, default_prompt_refs: null, default_tool_profile: null, default_tool_enable: null, default_tool_disable: null, default_tool_force: null, ...extra },
    },
  };
}

export function hostReady(id = 'hs-1'): CborValue {
  return { $tag: 'HostSessionUpdated', $value: { host_session_id: id, host_session_status: { $tag: 'Ready' } } };
}

export function command(kind: CborValue): CborValue {
  return { $tag: 'HostCommandReceived', $value: { command_id: 'cmd', issued_at: 1, command: kind } };
}
