// RFC 3339 timestamps to and from integer nanoseconds since the Unix epoch (UTC, no leap seconds).
import type { Checked } from './decimal-text.ts';
import { quote } from './json-shape.ts';

const TIMESTAMP_PATTERN = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$/;
const NS_PER_SECOND = 1_000_000_000n;
const SECONDS_PER_DAY = 86_400n;
/** AIR time has nanosecond precision. */
const FRACTION_DIGITS_MAX = 9;

/** Nanoseconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp (may be negative: the caller range-checks). */
export function parseRfc3339(text: string): Checked<bigint> {
  const match = TIMESTAMP_PATTERN.exec(text);
  const bad = (why: string): Checked<bigint> => ({ ok: false, code: 'BAD_TIME', detail: `found ${quote(text)}: ${why}` });
  if (match === null) return bad('not an RFC 3339 timestamp; expected e.g. "2026-01-02T03:04:05.5Z" or "2026-01-02T03:04:05+02:00"');
  const part = (group: number): string => match[group] ?? '';
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const [fraction, offsetSign, offsetHour, offsetMinute] = [part(7), part(9), part(10), part(11)];
  const [y, mo, d, h, mi, s] = [Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second)];
  if (fraction.length > FRACTION_DIGITS_MAX) return bad(`it has ${fraction.length} fractional digits; AIR time has at most ${FRACTION_DIGITS_MAX} (nanoseconds)`);
  if (mo < 1 || mo > 12) return bad(`month ${month} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) return bad(`day ${day} does not exist in ${year}-${month}`);
  if (h > 23 || mi > 59) return bad(`${hour}:${minute} is not a time of day`);
  if (s > 59) return bad(`second ${second} is a leap second or out of range; AIR time counts no leap seconds`);
  const [oh, om] = [Number(offsetHour), Number(offsetMinute)];
  if (oh > 23 || om > 59) return bad(`offset ${offsetHour}:${offsetMinute} is out of range`);
  const offsetSeconds = BigInt(oh * 3600 + om * 60) * (offsetSign === '-' ? -1n : 1n);
  const seconds = daysFromCivil(y, mo, d) * SECONDS_PER_DAY + BigInt(h * 3600 + mi * 60 + s) - offsetSeconds;
  return { ok: true, value: seconds * NS_PER_SECOND + BigInt(fraction.padEnd(FRACTION_DIGITS_MAX, '0')) };
}

/** RFC 3339 text in UTC of nanoseconds since the epoch (≥ 0), the fraction without trailing zeros. */
export function formatRfc3339(ns: bigint): string {
  const seconds = ns / NS_PER_SECOND;
  const fraction = (ns % NS_PER_SECOND).toString().padStart(FRACTION_DIGITS_MAX, '0').replace(/0+$/, '');
  const days = seconds / SECONDS_PER_DAY;
  const ofDay = Number(seconds % SECONDS_PER_DAY);
  const { year, month, day } = civilFromDays(days);
  const two = (value: number) => String(value).padStart(2, '0');
  const clock = `${two(Math.floor(ofDay / 3600))}:${two(Math.floor(ofDay / 60) % 60)}:${two(ofDay % 60)}`;
  return `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${clock}${fraction === '' ? '' : `.${fraction}`}Z`;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, eras of 400 years).
function daysFromCivil(year: number, month: number, day: number): bigint {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return BigInt(era * 146_097 + dayOfEra - 719_468);
}

function civilFromDays(daysSinceEpoch: bigint): { year: number; month: number; day: number } {
  const z = Number(daysSinceEpoch) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}
