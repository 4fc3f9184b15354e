/**
 * The daemon on a failing disk: a cycle whose fdatasync fails (EIO) or whose write hits
 * ENOSPC is refused (LOG_APPEND_FAILED), nothing later is acknowledged, and a restart on
 * a healthy disk recovers every cycle that was acknowledged before — and, for ENOSPC,
 * nothing of the refused one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { Daemon } from '../../src/daemon/daemon.js';
import { isDaemonError } from '../../src/daemon/errors.js';
import { startSimulation } from '../../src/cli/simulate.js';
import { findProjection } from '../../src/projection/builtins.js';
import { CurrentState } from '../../src/projection/current-state.js';
import type { Projection } from '../../src/projection/projection.js';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { nodeFileSystem, type WalFileSystem } from '../../src/wal/file-system.js';
import { tempDir } from '../helpers/tmp.js';
import { testConfig } from './daemon-harness.js';

/** node:fs whose fdatasync or write fails once armed. */
function failingDisk(errno: 'EIO' | 'ENOSPC'): WalFileSystem & { armed: boolean } {
  const disk = {
    ...nodeFileSystem,
    armed: false,
    fdatasyncSync(fd: number) {
      if (disk.armed && errno === 'EIO') throw Object.assign(new Error('injected EIO'), { code: 'EIO' });
      nodeFileSystem.fdatasyncSync(fd);
    },
    writeSync(fd: number, buf: Buffer, off: number, len: number, pos: number) {
      if (disk.armed && errno === 'ENOSPC') {
        nodeFileSystem.writeSync(fd, buf, off, Math.floor(len / 2), pos); // half lands, then the disk is full
        throw Object.assign(new Error('injected ENOSPC'), { code: 'ENOSPC' });
      }
      return nodeFileSystem.writeSync(fd, buf, off, len, pos);
    },
  };
  return disk;
}

function fleet(projections: readonly Projection[]): string {
  const current = findProjection(projections, CurrentState)!;
  return JSON.stringify(current.list({}));
}

for (const errno of ['EIO', 'ENOSPC'] as const) {
  describe(`the daemon when the log's disk fails with ${errno}`, () => {
    it('refuses the cycle, acknowledges nothing after it, and a restart recovers every acknowledged cycle', async () => {
      const dir = tempDir();
      const scenario = defaultScenario();
      const config = testConfig(scenario, dir, { 'http-listen': 'off' });
      const sim = await startSimulation(scenario, config);
      const disk = failingDisk(errno);
      const daemon = await Daemon.open({ config, scan: sim, logger: pino({ level: 'silent' }), create: true, processMetrics: false, walFs: disk });
      let acknowledged: string;
      try {
        // given two acknowledged cycles
        for (let i = 0; i < 2; i++) {
          sim.cloud.advance();
          assert.equal((await daemon.runCycle()).revision, i + 1);
        }
        acknowledged = fleet(daemon.state);
        // when the disk fails during the third
        disk.armed = true;
        sim.cloud.advance();
        await assert.rejects(daemon.runCycle(), (err: unknown) => isDaemonError(err, 'LOG_APPEND_FAILED'));
        // then even a healthy disk gets nothing more acknowledged by this process
        disk.armed = false;
        await assert.rejects(daemon.runCycle(), (err: unknown) => isDaemonError(err, 'LOG_APPEND_FAILED'));
      } finally {
        await daemon.close();
      }
      // and a restart on a healthy disk recovers both acknowledged cycles (closing the
      // daemon closed its simulation: the restart gets a fresh one of the same scenario)
      const sim2 = await startSimulation(scenario, config);
      const restarted = await Daemon.open({ config, scan: sim2, logger: pino({ level: 'silent' }), create: false, processMetrics: false });
      try {
        const revision = restarted.log.lastMain;
        if (errno === 'ENOSPC') {
          assert.equal(revision, 2, 'nothing of the refused cycle is visible');
          assert.equal(fleet(restarted.state), acknowledged);
        } else {
          // an fdatasync that failed after its write may or may not have left cycle 3 whole
          assert.ok(revision === 2 || revision === 3, `revision ${revision}`);
          if (revision === 2) assert.equal(fleet(restarted.state), acknowledged);
        }
        assert.equal((await restarted.runCycle()).revision, revision + 1, 'the next cycle follows what is on disk');
      } finally {
        await restarted.close();
      }
    });
  });
}
