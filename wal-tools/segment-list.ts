/**
 * Which files wal-dump reads: every `*.wal` segment of a log directory in sequence order,
 * or the segment files named on the command line. Read-only; takes no lock. Files being
 * prepared (`.tmp`) and copies kept by repair (`.broken`) are not part of the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { checkpointFloorMain } from '../src/checkpoint/checkpoint-name.js';
import { nodeFileSystem } from '../src/wal/file-system.js';
import { errnoCode, type WalErrorCode } from '../src/wal/errors.js';
import { parseSegmentName, type SegmentName } from '../src/wal/segment-name.js';
import type { Problem } from './problems.js';

export type LogInput = { kind: 'dir'; dir: string } | { kind: 'files'; paths: readonly string[] };

export interface SegmentFile {
  path: string;
  /** The file name, as shown in output and problems. */
  name: string;
  /** Sequence and first revision from the name, or null for a file named otherwise. */
  parsed: SegmentName | null;
  /** True only for the newest segment of the log: the one place a torn tail is normal. */
  tornAllowed: boolean;
}

export interface SegmentListing {
  files: SegmentFile[];
  /** Files named like segments whose names do not parse. */
  problems: Problem[];
  /** The highest revision a checkpoint beside the segments covers (0: none). */
  floorMain: number;
}

/** The log cannot be read at all (exit 1): a one-line message, no stack. */
export class InputError extends Error {
  constructor(
    readonly code: WalErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** One directory, or one or more segment files; anything else is refused. */
export function classifyInput(paths: readonly string[]): LogInput {
  const kinds = paths.map((p) => statKind(p));
  if (kinds.length === 1 && kinds[0] === 'dir') return { kind: 'dir', dir: paths[0]! };
  if (kinds.includes('dir')) throw new InputError('WAL_IO', 'give one log directory, or segment files, not both');
  return { kind: 'files', paths };
}

function statKind(p: string): 'dir' | 'file' {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') throw new InputError('WAL_NOT_FOUND', `${p} does not exist`);
    throw new InputError('WAL_IO', `cannot access ${p}: ${errnoCode(err) ?? String(err)}`);
  }
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  throw new InputError('WAL_IO', `${p} is neither a directory nor a regular file`);
}

export function listSegmentFiles(input: LogInput): SegmentListing {
  return input.kind === 'dir' ? listDirectory(input.dir) : listNamedFiles(input.paths);
}

function readNames(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') throw new InputError('WAL_NOT_FOUND', `log directory ${dir} does not exist`);
    throw new InputError('WAL_IO', `cannot list log directory ${dir}: ${code ?? String(err)}`);
  }
}

function listDirectory(dir: string): SegmentListing {
  const files: SegmentFile[] = [];
  const problems: Problem[] = [];
  for (const name of readNames(dir)) {
    if (!name.endsWith('.wal')) continue;
    const parsed = parseSegmentName(name);
    if (parsed) {
      files.push({ path: path.join(dir, name), name, parsed, tornAllowed: false });
    } else {
      problems.push({ severity: 'corruption', code: 'WAL_BAD_NAME', segment: name, offsetBytes: null, message: 'malformed segment file name: the daemon will not open this directory' });
    }
  }
  if (files.length === 0 && problems.length === 0) {
    throw new InputError('WAL_NOT_FOUND', `no segment files (*.wal) in ${dir}: not an Elava log directory`);
  }
  files.sort((a, b) => a.parsed!.sequence - b.parsed!.sequence);
  const last = files[files.length - 1];
  if (last) last.tornAllowed = true;
  return { files, problems, floorMain: checkpointFloorMain(nodeFileSystem, dir) };
}

/** Named files are read in the order given; only the last may be torn, and only if it is its directory's newest. */
function listNamedFiles(paths: readonly string[]): SegmentListing {
  const files = paths.map((p) => {
    const name = path.basename(p);
    return { path: p, name, parsed: parseSegmentName(name), tornAllowed: false };
  });
  const last = files[files.length - 1];
  if (last) last.tornAllowed = last.parsed === null || !hasLaterSibling(last.path, last.parsed.sequence);
  const floorMain = last ? checkpointFloorMain(nodeFileSystem, path.dirname(last.path)) : 0;
  return { files, problems: [], floorMain };
}

function hasLaterSibling(file: string, sequence: number): boolean {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return false;
  }
  return names.some((n) => {
    const parsed = parseSegmentName(n);
    return parsed !== null && parsed.sequence > sequence;
  });
}
