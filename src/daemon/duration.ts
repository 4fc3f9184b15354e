/**
 * Durations as people write them in configs and flags: `500ms`, `30s`, `5m`, `2h`, `30d`,
 * or a combination (`1h30m`). A bare number is refused: `300` could be seconds or
 * milliseconds, and guessing wrong changes how often a cloud account is listed.
 */

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Upper bound on any configured duration (a year): beyond it a typo is likelier than intent. */
export const DURATION_MS_MAX = 366 * 86_400_000;

/** Milliseconds, or null when `text` is not a duration (or is over `maxMs`). */
export function parseDurationMs(text: string, maxMs: number = DURATION_MS_MAX): number | null {
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return null;
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (match === null) return null;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    at = part.lastIndex;
  }
  if (!Number.isFinite(total) || total > maxMs) return null;
  return Math.round(total);
}

/** `90000` → `1m30s`; for log lines and help text. */
export function formatDurationMs(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
