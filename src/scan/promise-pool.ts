/**
 * Runs tasks with at most `limit` in flight; results come back in task order, whatever
 * order they finish in. A task that throws rejects the whole run (tasks here catch their
 * own operating errors, so a throw is a bug).
 */
import assert from 'node:assert/strict';

export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  assert.ok(Number.isInteger(limit) && limit >= 1, 'pool limit is a positive integer');
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T, index);
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(limit, items.length); i++) workers.push(worker());
  await Promise.all(workers);
  return results;
}
