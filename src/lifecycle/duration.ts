const ISO_DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000];

/** What a valid duration looks like, for error messages. */
export const DURATION_FORMAT =
  'an ISO 8601 duration in weeks, days, hours, minutes or seconds (e.g. PT2H, P1DT12H, P30D); months and years are not accepted because their length depends on the calendar (use days)';

/** The latest instant anything may expire: past year 9999 ISO strings stop sorting as text, and the store compares them as text. */
export const LATEST_INSTANT_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * ISO 8601 durations with fixed-length units only (weeks, days, hours, minutes, seconds): a grant's
 * length must not depend on the calendar, so months and years are refused. Undefined when invalid.
 */
export function parseDurationMs(text: string): number | undefined {
  const match = ISO_DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const total = match.slice(1).reduce((sum, part, index) => sum + (part ? Number(part) * UNIT_MS[index] : 0), 0);
  return total > 0 ? total : undefined;
}
