/** A short JSON rendering of any parsed value for messages: bigints as digits, long text cut. */
export function showJson(value: unknown, charsMax = 60): string {
  const text = value === undefined ? 'nothing'
    : JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${item}` : item)) ?? String(value);
  return text.length > charsMax ? `${text.slice(0, charsMax - 3)}...` : text;
}
