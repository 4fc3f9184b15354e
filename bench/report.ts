/**
 * How every benchmark reports: a human table on stdout, or with --json one object per
 * figure per line: {"bench", "name", "params", "value", "unit"}. The machine it ran on is
 * printed with the table, since a figure means nothing without it.
 */
import os from 'node:os';

export interface Figure {
  bench: string;
  name: string;
  params: Record<string, string | number | boolean>;
  value: number;
  unit: string;
}

export class Report {
  private readonly figures: Figure[] = [];

  constructor(
    readonly bench: string,
    private readonly json: boolean,
  ) {
    if (!json) {
      const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
      console.log(`# ${bench} — node ${process.version}, ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`);
    }
  }

  add(name: string, params: Figure['params'], value: number, unit: string): void {
    const figure = { bench: this.bench, name, params, value: round(value), unit };
    this.figures.push(figure);
    if (this.json) console.log(JSON.stringify(figure));
  }

  /** Prints the table (human mode); returns the figures either way. */
  finish(): Figure[] {
    if (!this.json) {
      const rows = this.figures.map((f) => [f.name, formatParams(f.params), formatValue(f.value), f.unit]);
      const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'params', 'value', 'unit'][i]!.length));
      const line = (cells: string[]): string => cells.map((c, i) => (i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
      console.log(line(['figure', 'params', 'value', 'unit']));
      console.log(widths.map((w) => '-'.repeat(w)).join('  '));
      for (const r of rows) console.log(line(r));
    }
    return this.figures;
  }
}

function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 1 ? 2 : 4;
  return Number(v.toFixed(digits));
}

function formatParams(p: Figure['params']): string {
  const parts = Object.entries(p).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(' ') : '-';
}

function formatValue(v: number): string {
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(v);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}
