// Why a request never got an answer, for people: what fetch's "fetch failed" TypeError (and an
// SDK's "Connection error.") hides in its chain of causes.

/** Wrapper messages that say nothing about the cause. */
const UNINFORMATIVE = new Set(['fetch failed', 'Connection error.']);
/** Causes followed down the chain: undici nests its system error two or three deep. */
const CAUSE_DEPTH_MAX = 4;

/** The system or undici error codes and messages along the cause chain, e.g. "ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9". */
export function networkFailure(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < CAUSE_DEPTH_MAX && current instanceof Error; depth++) {
    const code = 'code' in current ? current.code : undefined;
    const text = [typeof code === 'string' ? code : '', current.message].filter((part) => part !== '').join(' ');
    if (text !== '' && !UNINFORMATIVE.has(text)) parts.push(text);
    current = current.cause;
  }
  return parts.length === 0 ? String(error) : parts.join(': ');
}
