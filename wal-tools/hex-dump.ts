/**
 * `hexdump -C`-style lines for bytes --raw skipped, with file offsets; a run of identical
 * lines is shown once followed by `*`. The caller bounds the input (HEX_SHOWN_BYTES_MAX).
 */
const BYTES_PER_LINE = 16;

export function hexDumpLines(bytes: Uint8Array, fileOffsetBytes: number): string[] {
  const lines: string[] = [];
  let previous: string | null = null;
  let starred = false;
  for (let i = 0; i < bytes.length; i += BYTES_PER_LINE) {
    const row = bytes.subarray(i, Math.min(i + BYTES_PER_LINE, bytes.length));
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    if (hex === previous && row.length === BYTES_PER_LINE) {
      if (!starred) lines.push('  *');
      starred = true;
      continue;
    }
    previous = hex;
    starred = false;
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`  ${(fileOffsetBytes + i).toString(16).padStart(8, '0')}  ${hex.padEnd(BYTES_PER_LINE * 3 - 1)}  |${ascii}|`);
  }
  return lines;
}
