import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listCheckpoints } from '../../src/checkpoint/checkpoint-name.js';
import { readSnapFlags, SNAP_FLAG_BASE } from '../../src/checkpoint/snap-file.js';
import { nodeFileSystem } from '../../src/wal/file-system.js';
import { runQueryCommand, type QueryCommandName } from '../../src/query/commands.js';
import { closeQueryState, openQueryState, type QueryStateSource } from '../../src/query/query-state.js';
import { tempDir } from '../helpers/tmp.js';
import { PART_ITEMS, rewriteInSmallParts } from '../store/checkpoint-rewrite.js';
import { commitAll, commitTimeMs, historyCommits, openStore } from '../store/store-harness.js';
import { captureIo } from './query-fixture.js';

/** The whole state opened read-only, whatever the command reads (the answer to compare with). */
const wholeStates: QueryStateSource = { open: (dir) => openQueryState(dir), release: closeQueryState };

async function answer(name: QueryCommandName, argv: string[], dir: string, states?: QueryStateSource): Promise<string> {
  const io = captureIo();
  const code = await runQueryCommand(name, [...argv, '--data-dir', dir], io, states === undefined ? {} : { states });
  return `exit ${code}\n${io.out()}\n--- stderr\n${io.err()}`;
}

/** Every key the whole state knows, and one it does not. */
async function keysOf(dir: string): Promise<string[]> {
  const state = await openQueryState(dir);
  try {
    return [...state.index.keys(), 'aws:ec2.instance:eu-west-1:i-nothere'];
  } finally {
    closeQueryState(state);
  }
}

/** `get` and `history` of every key answered from a one-key open equal those from the whole state. */
async function assertSameAnswers(dir: string, points: string[]): Promise<number> {
  let asked = 0;
  for (const key of await keysOf(dir)) {
    const lines: [QueryCommandName, string[]][] = [
      ['get', [key]], ['get', [key, '--json']], ['history', [key]], ['history', [key, '--field', 'state']], ['history', [key, '--json']],
      ...points.map((p): [QueryCommandName, string[]] => ['get', [key, '--at', p]]),
    ];
    for (const [name, argv] of lines) {
      assert.equal(await answer(name, argv, dir), await answer(name, argv, dir, wholeStates), `${name} ${argv.join(' ')}`);
      asked++;
    }
  }
  return asked;
}

describe('get and history from a read-only open of one key', () => {
  it('answer as the whole state does, for every key, from a checkpoint of many parts and its tail', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const commits = historyCommits(90, 5);
    await commitAll(store, commits.slice(0, 60));
    const { file } = await store.checkpoint('demand');
    await commitAll(store, commits.slice(60));
    // Last, a commit of one resource's event alone: every other key's open must still see its revision.
    const appeared = commits.flat().find((e) => e.type === 'appeared');
    assert.ok(appeared !== undefined && appeared.type === 'appeared');
    const key = `${appeared.key}-late`;
    await store.commit([{ type: 'appeared', key, record: { ...appeared.record, key } }], commitTimeMs(store.lastMain + 1));
    const lastMain = store.lastMain;
    await store.close();
    await rewriteInSmallParts(dir, file);

    const keys = await keysOf(dir);
    assert.ok(keys.length > 4 * PART_ITEMS, `keys in several checkpoint parts (${keys.length})`);
    const asked = await assertSameAnswers(dir, ['1', String(Math.floor(lastMain / 2)), String(lastMain), String(lastMain + 1), '2026-01-01']);
    assert.ok(asked > 100);
  });

  it('answer as the whole state does after a compaction (compacted points, the base)', async () => {
    const dir = tempDir();
    const store = await openStore(dir);
    const commits = historyCommits(70, 9);
    await commitAll(store, commits.slice(0, 40));
    await store.checkpoint('demand');
    await commitAll(store, commits.slice(40, 55));
    const compactAt = store.lastMain - 5;
    await store.compact(compactAt);
    await commitAll(store, commits.slice(55));
    const lastMain = store.lastMain;
    await store.close();
    const newest = listCheckpoints(nodeFileSystem, dir)[0];
    assert.ok(newest !== undefined && (readSnapFlags(nodeFileSystem, dir, newest.name) ?? 0) & SNAP_FLAG_BASE, 'the newest checkpoint carries the compaction base');
    await rewriteInSmallParts(dir, newest.name);
    await assertSameAnswers(dir, [String(compactAt - 1), String(compactAt), String(lastMain)]);
  });
});
