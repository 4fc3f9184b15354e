/**
 * Where walked items go in a dump, --stats or --follow run: through the filters, counted
 * against --limit, and out as text lines, NDJSON or into the stats. Problems always go to
 * stderr (and, with --json, into the NDJSON stream where they were found).
 */
import { describeEvent, type EventDescription } from './describe-event.js';
import { commitJson, eventJson, headerJson, problemJson, skippedJson, structuresJson } from './format-json.js';
import { commitLine, eventLine, headerLine, skippedLines, structuresLine } from './format-text.js';
import type { LineOutput } from './output.js';
import { formatProblem, type Problem } from './problems.js';
import { headerPasses, recordPasses, structuresPass, type RecordFilter } from './record-filter.js';
import { addHeader, addRecord, addStructures, emptyStats, statsJson, statsText, type LogStats } from './stats.js';
import type { WalkItem } from './walk-items.js';

export interface SinkOptions {
  format: 'text' | 'json' | 'stats';
  /** --stats --json: the stats as one JSON object. */
  json: boolean;
  filter: RecordFilter;
  limit: number | null;
  /** Revisions increase along the walk (not after a --raw resynchronisation). */
  revisionsOrdered: boolean;
}

export class DumpSink {
  /** Records shown (events and commit records), for --limit. */
  shownCount = 0;
  /** True once nothing more can be shown (--limit reached, past --to, or the reader left). */
  done = false;
  readonly stats: LogStats = emptyStats();

  constructor(
    private readonly options: SinkOptions,
    private readonly out: LineOutput,
    private readonly err: LineOutput,
  ) {}

  accept(item: WalkItem): void {
    const f = this.options.filter;
    switch (item.kind) {
      case 'problem':
        return this.problem(item.problem);
      case 'header':
        if (!headerPasses(f, item)) return;
        if (this.options.format === 'stats') return addHeader(this.stats, item);
        return this.emit(this.options.format === 'json' ? headerJson(item) : headerLine(item));
      case 'structures':
        if (!structuresPass(f)) return;
        if (this.options.format === 'stats') return addStructures(this.stats, item);
        return this.emit(this.options.format === 'json' ? structuresJson(item) : structuresLine(item));
      case 'skipped':
        this.stats.skippedBytes += item.lengthBytes;
        if (this.options.format === 'json') this.emit(skippedJson(item));
        else if (this.options.format === 'text') for (const line of skippedLines(item)) this.emit(line);
        return;
      case 'event':
      case 'commit':
        return this.record(item);
    }
  }

  private record(item: WalkItem & { kind: 'event' | 'commit' }): void {
    const f = this.options.filter;
    if (this.options.revisionsOrdered && f.toMain !== null && item.main > f.toMain) {
      this.done = true;
      return;
    }
    const described: EventDescription | null = item.kind === 'event' && !item.payloadError ? describeEvent(item.payload) : null;
    if (item.kind === 'event' && item.payloadError) {
      if (f.kinds || f.key !== null || f.type !== null) return; // its kind and key are unknown
    } else if (!recordPasses(f, item, described)) {
      return;
    }
    if (this.options.format === 'stats') {
      addRecord(this.stats, item, item.kind === 'commit' ? 'commit' : (described?.kind ?? '?payload'));
    } else if (item.kind === 'commit') {
      this.emit(this.options.format === 'json' ? commitJson(item) : commitLine(item));
    } else {
      this.emit(this.options.format === 'json' ? eventJson(item, described) : eventLine(item, described));
    }
    this.shownCount++;
    if (this.options.limit !== null && this.shownCount >= this.options.limit) this.done = true;
  }

  private emit(line: string): void {
    this.out.line(line);
    if (this.out.closed) this.done = true;
  }

  private problem(p: Problem): void {
    if (this.options.format === 'json') this.emit(problemJson(p));
    this.out.flush();
    this.err.line(formatProblem(p));
    this.err.flush();
  }

  flush(): void {
    this.out.flush();
    this.err.flush();
  }

  /** Writes what is held back until the end (the stats). */
  finish(): void {
    if (this.options.format === 'stats') {
      if (this.options.json) this.out.line(statsJson(this.stats));
      else for (const line of statsText(this.stats)) this.out.line(line);
    }
    this.out.flush();
    this.err.flush();
  }
}
