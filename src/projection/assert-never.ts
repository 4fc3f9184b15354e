/**
 * The end of an exhaustive `switch (event.type)`: a new event type fails to compile at
 * every projection that does not handle it, and an impossible value crashes loudly.
 */
import assert from 'node:assert/strict';

export function assertNever(value: never): never {
  return assert.fail(`unhandled event ${JSON.stringify(value)}`);
}
