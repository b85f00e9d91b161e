// What the adapter keeps from a provider's response headers: rate-limit state (the receipt's
// rate_limit_ref), the retry-after hint and the request id (in an error document).

/** Rate-limit headers by name, sorted; null when the response has none. */
export function rateLimitHeaders(headers: Headers): Readonly<Record<string, string>> | null {
  const kept: Array<[string, string]> = [];
  headers.forEach((value, name) => {
    if (isRateLimitHeader(name)) kept.push([name, value]);
  });
  if (kept.length === 0) return null;
  kept.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return Object.fromEntries(kept);
}

function isRateLimitHeader(name: string): boolean {
  return name.startsWith('x-ratelimit-') || name.startsWith('anthropic-ratelimit-') || name === 'retry-after' || name === 'retry-after-ms';
}

/** Milliseconds to wait before retrying, from retry-after-ms or retry-after (seconds or an HTTP date is not read: providers send seconds). */
export function retryAfterMs(headers: Headers): number | null {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null && /^[0-9]{1,9}(\.[0-9]+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const seconds = headers.get('retry-after');
  if (seconds !== null && /^[0-9]{1,7}(\.[0-9]+)?$/.test(seconds)) return Math.ceil(Number(seconds) * 1000);
  return null;
}

/** The provider's id of the request (OpenAI x-request-id, Anthropic request-id). */
export function requestId(headers: Headers): string | null {
  return headers.get('x-request-id') ?? headers.get('request-id');
}
