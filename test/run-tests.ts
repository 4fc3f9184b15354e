/**
 * Runs every compiled `*.test.js` under dist/test with node's test runner. Node 20's
 * `--test DIR` would also execute helper modules (any .js under a `test` folder), such as
 * the crash test's child writer, so the files are named explicitly.
 * Usage: node dist/test/run-tests.js [substring-filter ...]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

function findTests(dir: string, out: string[]): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, out);
    else if (entry.name.endsWith('.test.js')) out.push(full);
  }
  return out;
}

const root = path.dirname(new URL(import.meta.url).pathname);
const filters = process.argv.slice(2);
const files = findTests(root, [])
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
