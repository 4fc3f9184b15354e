/** Commit times as shown and as parsed from --since/--until. */

/** ISO 8601, or `invalid-time` for a value no Date can hold (a damaged or foreign record). */
export function isoTime(ms: number | null): string {
  if (ms === null) return 'uncommitted';
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'invalid-time';
  return new Date(ms).toISOString();
}

/** Milliseconds since the epoch from `1714564800000` or an ISO date; null when neither. */
export function parseTimeMs(text: string): number | null {
  if (/^\d{1,16}$/.test(text)) return Number(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}
