/**
 * A data directory's source id: random, created once, kept in the file `SOURCE_ID`. It
 * names the directory's events everywhere downstream (subjects, Nats-Msg-Id, the
 * aggregator's `sources`), so it must not change while the directory lives; a copied
 * directory keeps it (two daemons forwarding copies of one directory would share it, and
 * their commits would be taken for each other's: give a copy a new id by deleting the file
 * before its first forward).
 */
import { randomBytes } from 'node:crypto';
import { FaninError } from './errors.js';
import { readSmallFile, writeSmallFile } from './small-file.js';

export const SOURCE_ID_FILE = 'SOURCE_ID';
const SOURCE_ID_PATTERN = /^[0-9a-f]{16}$/;

/** 16 hex digits (64 random bits). */
export function isSourceId(text: string): boolean {
  return SOURCE_ID_PATTERN.test(text);
}

/** The directory's id, created (durably) on first use. Throws FaninError FANIN_STATE. */
export function sourceIdOf(dir: string): string {
  const existing = existingSourceId(dir);
  if (existing !== null) return existing;
  const id = randomBytes(8).toString('hex');
  try {
    writeSmallFile(dir, SOURCE_ID_FILE, `${id}\n`);
  } catch (err) {
    throw new FaninError('FANIN_STATE', `cannot create ${SOURCE_ID_FILE} in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  return id;
}

/** The directory's id if it has one (never creates it); null otherwise. Throws FANIN_STATE. */
export function existingSourceId(dir: string): string | null {
  let text: string | null;
  try {
    text = readSmallFile(dir, SOURCE_ID_FILE);
  } catch (err) {
    throw new FaninError('FANIN_STATE', `cannot read ${SOURCE_ID_FILE} in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  if (text === null) return null;
  const id = text.trim();
  if (!isSourceId(id)) throw new FaninError('FANIN_STATE', `${SOURCE_ID_FILE} in ${dir} does not hold a source id (16 hex digits)`);
  return id;
}
