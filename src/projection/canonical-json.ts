/**
 * JSON with object keys sorted at every level: equal values give equal strings whatever
 * order their keys were built or decoded in. Used for state hashes, never for storage.
 * Depth is bounded (records are shallow; deeper input is a bug upstream).
 */
import assert from 'node:assert/strict';
import { PROJECTION_ATTR_DEPTH_MAX } from '../limits.js';

export function canonicalJson(value: unknown): string {
  return encode(value, 0);
}

function encode(value: unknown, depth: number): string {
  if (depth > PROJECTION_ATTR_DEPTH_MAX) assert.fail(`value nested deeper than ${PROJECTION_ATTR_DEPTH_MAX}`);
  if (value === null || typeof value !== 'object') {
    // undefined (absent) encodes as null so that a missing field and null hash alike.
    return value === undefined ? 'null' : JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    const parts: string[] = [];
    for (const item of value) parts.push(encode(item, depth + 1));
    return `[${parts.join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  const parts: string[] = [];
  for (const k of keys) parts.push(`${JSON.stringify(k)}:${encode(obj[k], depth + 1)}`);
  return `{${parts.join(',')}}`;
}
