// Reads what a module threw as plain strings. Property reads may run module getters; they
// run under the same fuel meter, and a read that fails yields a placeholder.
import type { QuickJSContext, QuickJSHandle } from './quickjs.ts';
import type { ThrownValue } from './error-hints.ts';

/** Name, message and code of a thrown value (for a non-object: its string form). */
export function readThrown(context: QuickJSContext, error: QuickJSHandle): ThrownValue {
  if (context.typeof(error) !== 'object') {
    return { name: 'Thrown value', message: readString(context, error) ?? '<unreadable>', code: undefined };
  }
  return {
    name: readProp(context, error, 'name') ?? 'Error',
    message: readProp(context, error, 'message') ?? '<no message>',
    code: readProp(context, error, 'code'),
  };
}

function readProp(context: QuickJSContext, target: QuickJSHandle, key: string): string | undefined {
  try {
    const handle = context.getProp(target, key);
    const text = context.typeof(handle) === 'string' ? context.getString(handle) : undefined;
    handle.dispose();
    return text;
  } catch {
    return undefined; // a hostile getter threw or was interrupted: fall back to the placeholder
  }
}

function readString(context: QuickJSContext, handle: QuickJSHandle): string | undefined {
  const type = context.typeof(handle);
  if (type === 'string') return context.getString(handle);
  if (type === 'number') return String(context.getNumber(handle));
  return type;
}
