/**
 * A user's price overrides: a JSON file shaped like (part of) the PriceTable, merged over
 * DEFAULT_PRICES key by key (a region entry or a by-type map merges too). Every value is
 * checked: a price is a finite number ≥ 0, an unknown key is an error naming its path,
 * so a typo never silently keeps the default.
 */
import fs from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_PRICES, type PriceTable } from './prices.js';

export class PriceFileError extends Error {
  override readonly name = 'PriceFileError';
  readonly code = 'PRICE_FILE_INVALID';
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

type Json = Record<string, unknown>;

function isTable(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Merges `over` into a copy of `base`, checking `over` against `base`'s shape. */
function mergeChecked(base: Json, over: Json, at: string, file: string, openKeys: boolean): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const path = at === '' ? key : `${at}.${key}`;
    const known = base[key];
    if (known === undefined && !openKeys) throw new PriceFileError(file, `${file}: unknown key ${path}`);
    if (typeof known === 'number' || (known === undefined && typeof value === 'number')) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new PriceFileError(file, `${file}: ${path} must be a number ≥ 0`);
      }
      out[key] = value;
    } else if (typeof known === 'string') {
      if (typeof value !== 'string') throw new PriceFileError(file, `${file}: ${path} must be a string`);
      out[key] = value;
    } else {
      if (!isTable(value)) throw new PriceFileError(file, `${file}: ${path} must be a table`);
      // region tables and by-type maps take new keys (a region, a volume type)
      const open = key === 'regions' || key.endsWith('ByType') || at.endsWith('regions');
      out[key] = mergeChecked(isTable(known) ? known : {}, value, path, file, open);
    }
  }
  return out;
}

/**
 * `file` as the user wrote it (every message names it so); a relative one is read from
 * `cwd` when given (the daemon reads it for a CLI in another directory), else from the
 * process's own.
 */
export function loadPriceFile(file: string, cwd?: string): PriceTable {
  const readPath = cwd === undefined ? file : resolvePath(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(readPath, 'utf8'));
  } catch (err) {
    // The system's message names the path read; name it as the user wrote it, as everywhere.
    const reason = (err as Error).message.split(readPath).join(file);
    throw new PriceFileError(file, `${file}: cannot read a JSON price table: ${reason}`);
  }
  if (!isTable(raw)) throw new PriceFileError(file, `${file}: must hold a JSON object`);
  const merged = mergeChecked(DEFAULT_PRICES as unknown as Json, raw, '', file, false);
  // A file that changes prices but keeps the built-in source would misattribute them.
  if (raw['source'] === undefined) merged['source'] = `${DEFAULT_PRICES.source}; overridden by ${file}`;
  return merged as unknown as PriceTable;
}
