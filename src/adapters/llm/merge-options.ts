// Provider options (from the intent's provider_options_ref blob) merged under a request body.
import type { LlmWarning } from './llm-reply.ts';

/**
 * The body with the provider options underneath: a field the adapter sets wins over the same
 * field in the options, and each such clash is reported as a warning.
 */
export function mergeUnder<T extends object>(options: Readonly<Record<string, unknown>> | null, body: T, warnings: LlmWarning[]): T {
  if (options === null) return body;
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(body, key)) {
      warnings.push({ code: 'OPTION_OVERRIDDEN', message: `provider option "${key}" was not sent: the adapter sets "${key}" from the intent's params` });
    }
  }
  return { ...options, ...body };
}
