/** Orders strings by UTF-16 code unit: the same order on every machine, with no locale. */
export function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
