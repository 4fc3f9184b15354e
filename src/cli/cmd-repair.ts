/**
 * `elava repair`: what a cut at damage in the log would lose, and with --accept-loss the
 * cut itself (src/wal/accept-loss.ts), recorded in the log by a `log-repaired` event at a
 * revision above every revision the cut part held. See REPAIR_HELP.
 */
import path from 'node:path';
import type { LogRepaired } from '../model/events.js';
import { DaemonError } from '../daemon/errors.js';
import { logOpenError } from '../daemon/open-store.js';
import { CHECKPOINT_BROKEN_SUFFIX, checkpointFloorMain, listCheckpoints } from '../checkpoint/checkpoint-name.js';
import { performCut, planCut, type CutPlan, type CutResult } from '../wal/accept-loss.js';
import { lostText } from '../wal/damage.js';
import { fsyncDirectory, nodeFileSystem } from '../wal/file-system.js';
import { acquireLock } from '../wal/lock.js';
import { Wal } from '../wal/wal.js';
import { parseArgs, UsageError } from './args.js';
import { dataDirOf, requireLog } from './data-dir.js';
import { REPAIR_HELP } from './help.js';
import { EXIT_OK, type CliIo } from './io.js';

const EXIT_LOG_DAMAGED = 3;

export async function repairCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { flags, positionals } = parseArgs(argv, new Map([['help', 'boolean'], ['data-dir', 'string'], ['json', 'boolean'], ['accept-loss', 'boolean']]));
  if (flags.has('help')) {
    io.out(REPAIR_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const dir = dataDirOf(flags, io);
  requireLog(dir);
  const json = flags.has('json');
  let lock;
  try {
    lock = acquireLock(nodeFileSystem, dir);
  } catch (err) {
    throw logOpenError(dir, err, ' (stop the daemon first)');
  }
  let plan: CutPlan | null;
  let lastMain: number;
  let cut: CutResult;
  try {
    const planned = planCut(nodeFileSystem, dir, checkpointFloorMain(nodeFileSystem, dir));
    plan = planned.plan;
    lastMain = planned.tail.lastMain;
    if (plan === null) {
      const torn = planned.tail.torn !== null ? '; a torn tail after it is cut by the next open, keeping every acknowledged commit' : '';
      io.out(json ? JSON.stringify({ damaged: false, lastMain, torn: planned.tail.torn !== null }) : `the log is whole to revision ${lastMain}${torn}: nothing to repair`);
      return EXIT_OK;
    }
    io.out(json ? JSON.stringify({ damaged: true, plan }) : describePlan(plan));
    if (!flags.has('accept-loss')) {
      if (!json) io.out('nothing was changed; run again with --accept-loss to cut there');
      return EXIT_LOG_DAMAGED;
    }
    cut = performCut(nodeFileSystem, dir, plan);
  } catch (err) {
    if (err instanceof UsageError || err instanceof DaemonError) throw err;
    throw logOpenError(dir, err, '');
  } finally {
    lock.release();
  }
  const repaired = await recordRepair(dir, plan, cut);
  io.out(json ? JSON.stringify({ repaired: true, main: repaired }) : `cut after revision ${plan.damage.lastMain}; the repair is recorded at revision ${repaired}`);
  return EXIT_OK;
}

function describePlan(plan: CutPlan): string {
  const d = plan.damage;
  const lost = d.lost;
  const span = lost !== null && lost.timeMinMs !== null && lost.timeMaxMs !== null
    ? `, committed ${new Date(lost.timeMinMs).toISOString()} .. ${new Date(lost.timeMaxMs).toISOString()}`
    : '';
  return [
    `damage in ${d.segment} at byte ${d.offsetBytes} [${d.code}]: ${d.why}`,
    `last whole revision before it: ${d.lastMain}`,
    `a cut there loses: ${lostText(lost)}${span}`,
    plan.setAside.length > 0 ? `segments set aside whole: ${plan.setAside.join(', ')}` : 'no whole segment is set aside',
  ].join('\n');
}

/**
 * Sets aside checkpoints of cut revisions, then appends the `log-repaired` event at a
 * revision above every one the cut part held (and every marker a set-aside checkpoint had).
 */
async function recordRepair(dir: string, plan: CutPlan, cut: CutResult): Promise<number> {
  const kept = plan.damage.lastMain;
  let aboveMain = Math.max(kept, plan.damage.lost?.mainMax ?? 0);
  let changed = false;
  for (const c of listCheckpoints(nodeFileSystem, dir)) {
    if (c.coversMain <= kept) continue;
    aboveMain = Math.max(aboveMain, c.coversMain + 1); // its marker was the commit after it
    nodeFileSystem.renameSync(path.join(dir, c.name), path.join(dir, c.name + CHECKPOINT_BROKEN_SUFFIX));
    changed = true;
  }
  if (changed) fsyncDirectory(nodeFileSystem, dir);
  let wal: Wal;
  try {
    wal = Wal.open({ dir, knownDurableMain: checkpointFloorMain(nodeFileSystem, dir) });
  } catch (err) {
    throw logOpenError(dir, err, '');
  }
  const lost = plan.damage.lost;
  const event: LogRepaired = {
    type: 'log-repaired', segment: plan.damage.segment, offsetBytes: plan.damage.offsetBytes,
    brokenCopy: cut.brokenCopy, keptMain: kept,
    lostMainMin: lost?.mainMin ?? null, lostMainMax: lost?.mainMax ?? null,
    lostCommits: lost?.commits ?? 0, lostEvents: lost?.events ?? 0,
  };
  try {
    const main = Math.max(aboveMain, wal.lastMain) + 1;
    await wal.append({ main, timeMs: Date.now(), events: [event] });
    return main;
  } finally {
    await wal.close();
  }
}
