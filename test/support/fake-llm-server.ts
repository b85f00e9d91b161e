// A loopback fake of the three LLM APIs the llm adapter speaks, for tests that drive the real
// SDKs over real HTTP: OpenAI /v1/chat/completions (JSON, or server-sent events when the body
// asks for stream: true), OpenAI /v1/responses, and Anthropic /v1/messages. Each test queues
// the replies it wants (text, tool calls, usage, HTTP errors, malformed bodies, slow replies);
// each request takes the next one, rendered in the shape of the endpoint it came to. Every
// request is recorded (method, path, headers, body) so tests can check what the SDK sent.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Token counts a reply reports. */
export interface FakeUsage {
  readonly prompt: number;
  readonly completion: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
  readonly reasoning?: number;
}

/** A tool call in a reply; `arguments` is the JSON text the server sends (Anthropic gets it parsed). */
export interface FakeToolCall {
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
}

interface ReplyTiming {
  /** Wait this long before answering; a client that disconnects first cancels the wait. */
  readonly delayMs?: number;
  /** Extra response headers (rate-limit headers, request ids). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** One scripted answer. */
export type FakeReply =
  | ({ readonly kind: 'text'; readonly text: string; readonly usage?: FakeUsage; readonly id?: string; readonly reasoning?: string } & ReplyTiming)
  | ({ readonly kind: 'tool_calls'; readonly calls: readonly FakeToolCall[]; readonly text?: string; readonly usage?: FakeUsage; readonly id?: string } & ReplyTiming)
  | ({ readonly kind: 'http_error'; readonly status: number; readonly message: string; readonly type?: string } & ReplyTiming)
  | ({ readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType?: string } & ReplyTiming);

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly bodyText: string;
  /** The body parsed as JSON (null when it is not JSON). */
  readonly body: Record<string, unknown> | null;
}

type Endpoint = 'chat' | 'responses' | 'messages';
const ENDPOINTS: Readonly<Record<string, Endpoint>> = { '/v1/chat/completions': 'chat', '/v1/responses': 'responses', '/v1/messages': 'messages' };

/** The fake server: start it, queue replies, read what arrived, close it. */
export class FakeLlmServer {
  readonly requests: RecordedRequest[] = [];
  /** The body text of every answer sent, in order (what a client's raw output must equal). */
  readonly responses: string[] = [];
  private readonly queue: FakeReply[] = [];
  private readonly waiters: Array<(request: RecordedRequest) => void> = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(private readonly server: Server, readonly origin: string) {}

  /** Listens on 127.0.0.1 on a free port. */
  static async start(): Promise<FakeLlmServer> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const fake = new FakeLlmServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => void fake.handle(request, response));
    return fake;
  }

  /** The base URL the openai SDK takes. */
  get openAiBaseUrl(): string {
    return `${this.origin}/v1`;
  }

  /** The base URL the Anthropic SDK takes (it appends /v1/messages). */
  get anthropicBaseUrl(): string {
    return this.origin;
  }

  /** Queues replies; each request takes the next. */
  reply(...replies: FakeReply[]): void {
    this.queue.push(...replies);
  }

  /** Resolves when the next request has arrived (its body read), before it is answered. */
  nextRequest(): Promise<RecordedRequest> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, bodyText, body: parseBody(bodyText) };
    this.requests.push(recorded);
    this.waiters.splice(0).forEach((resolve) => resolve(recorded));
    const endpoint = ENDPOINTS[recorded.path.split('?')[0] ?? ''];
    const reply = this.queue.shift();
    if (endpoint === undefined || reply === undefined) {
      send(response, 500, 'application/json', JSON.stringify({ error: { message: endpoint === undefined ? `fake server: no endpoint ${recorded.path}` : 'fake server: no reply queued', type: 'fake' } }), {});
      return;
    }
    const answer = (): void => this.answer(endpoint, reply, recorded, response);
    if ((reply.delayMs ?? 0) === 0) {
      answer();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      answer();
    }, reply.delayMs);
    this.timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  private answer(endpoint: Endpoint, reply: FakeReply, request: RecordedRequest, response: ServerResponse): void {
    if (response.destroyed) return;
    const headers = reply.headers ?? {};
    if (reply.kind === 'raw') {
      send(response, reply.status, reply.contentType ?? 'application/json', reply.body, headers, this.responses);
    } else if (reply.kind === 'http_error') {
      send(response, reply.status, 'application/json', errorBody(endpoint, reply), headers, this.responses);
    } else if (endpoint === 'chat' && request.body?.['stream'] === true) {
      send(response, 200, 'text/event-stream', chatStream(reply, request), headers, this.responses);
    } else {
      const model = typeof request.body?.['model'] === 'string' ? request.body['model'] : 'fake-model';
      const body = endpoint === 'chat' ? JSON.stringify(chatCompletion(reply, model)) : endpoint === 'responses' ? JSON.stringify(responsesResponse(reply, model)) : anthropicMessage(reply, model);
      send(response, 200, 'application/json', body, headers, this.responses);
    }
  }
}

type Success = Extract<FakeReply, { kind: 'text' | 'tool_calls' }>;

function send(response: ServerResponse, status: number, contentType: string, body: string, headers: Readonly<Record<string, string>>, sent?: string[]): void {
  sent?.push(body);
  response.writeHead(status, { 'content-type': contentType, ...headers });
  response.end(body);
}

function parseBody(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function errorBody(endpoint: Endpoint, reply: Extract<FakeReply, { kind: 'http_error' }>): string {
  if (endpoint === 'messages') return JSON.stringify({ type: 'error', error: { type: reply.type ?? 'api_error', message: reply.message } });
  return JSON.stringify({ error: { message: reply.message, type: reply.type ?? 'server_error', param: null, code: reply.type ?? null } });
}

function textOf(reply: Success): string | null {
  return reply.kind === 'text' ? reply.text : reply.text ?? null;
}

function callsOf(reply: Success): readonly FakeToolCall[] {
  return reply.kind === 'tool_calls' ? reply.calls : [];
}

function chatUsage(usage: FakeUsage | undefined): Record<string, unknown> | undefined {
  if (usage === undefined) return undefined;
  return {
    prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion,
    prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 }, completion_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 },
  };
}

function chatCompletion(reply: Success, model: string): Record<string, unknown> {
  const calls = callsOf(reply);
  return {
    id: reply.id ?? 'chatcmpl-fake', object: 'chat.completion', created: 1_700_000_000, model,
    choices: [{
      index: 0, logprobs: null, finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      message: {
        role: 'assistant', content: textOf(reply), refusal: null,
        ...(calls.length > 0 ? { tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
      },
    }],
    ...(reply.usage === undefined ? {} : { usage: chatUsage(reply.usage) }),
  };
}

/** The reply as chat.completion.chunk events: text and arguments each split in two pieces. */
function chatStream(reply: Success, request: RecordedRequest): string {
  const model = typeof request.body?.['model'] === 'string' ? request.body['model'] : 'fake-model';
  const base = { id: reply.id ?? 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const events: Array<Record<string, unknown>> = [chunk({ role: 'assistant', content: '' })];
  const text = textOf(reply) ?? '';
  if (text !== '') events.push(chunk({ content: text.slice(0, 3) }), chunk({ content: text.slice(3) }));
  callsOf(reply).forEach((call, index) => {
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    const half = Math.floor(call.arguments.length / 2);
    events.push(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(0, half) } }] }));
    events.push(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] }));
  });
  events.push(chunk({}, callsOf(reply).length > 0 ? 'tool_calls' : 'stop'));
  const options = request.body?.['stream_options'];
  const includeUsage = typeof options === 'object' && options !== null && (options as Record<string, unknown>)['include_usage'] === true;
  if (includeUsage && reply.usage !== undefined) events.push({ ...base, choices: [], usage: chatUsage(reply.usage) });
  return `${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join('')}data: [DONE]\n\n`;
}

function responsesResponse(reply: Success, model: string): Record<string, unknown> {
  const text = textOf(reply);
  const output: unknown[] = [];
  if (reply.kind === 'text' && reply.reasoning !== undefined) output.push({ type: 'reasoning', id: 'rs_fake', summary: [{ type: 'summary_text', text: reply.reasoning }] });
  if (text !== null) output.push({ type: 'message', id: 'msg_fake', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
  callsOf(reply).forEach((call, index) => output.push({ type: 'function_call', id: `fc_fake_${index}`, call_id: call.id, name: call.name, arguments: call.arguments, status: 'completed' }));
  const usage = reply.usage;
  return {
    id: reply.id ?? 'resp_fake', object: 'response', created_at: 1_700_000_000, status: 'completed', model, output,
    ...(usage === undefined ? {} : {
      usage: {
        input_tokens: usage.prompt, input_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
        output_tokens: usage.completion, output_tokens_details: { reasoning_tokens: usage.reasoning ?? 0 }, total_tokens: usage.prompt + usage.completion,
      },
    }),
  };
}

/** The message as JSON text; tool_use input is spliced in as text, so the arguments reach the client exactly as the test wrote them. */
function anthropicMessage(reply: Success, model: string): string {
  const text = textOf(reply);
  const calls = callsOf(reply);
  const content: unknown[] = [];
  if (reply.kind === 'text' && reply.reasoning !== undefined) content.push({ type: 'thinking', thinking: reply.reasoning, signature: 'fake' });
  if (text !== null) content.push({ type: 'text', text });
  const uses = calls.map((call) => `{"type":"tool_use","id":${JSON.stringify(call.id)},"name":${JSON.stringify(call.name)},"input":${call.arguments}}`);
  const usage = reply.usage;
  const message = {
    id: reply.id ?? 'msg_fake', type: 'message', role: 'assistant', model, content: '__CONTENT__',
    stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null,
    usage: usage === undefined ? undefined : {
      input_tokens: usage.prompt, output_tokens: usage.completion,
      cache_read_input_tokens: usage.cacheRead ?? 0, cache_creation_input_tokens: usage.cacheWrite ?? 0,
    },
  };
  const contentText = `[${[...content.map((block) => JSON.stringify(block)), ...uses].join(',')}]`;
  return JSON.stringify(message).replace('"__CONTENT__"', () => contentText);
}
