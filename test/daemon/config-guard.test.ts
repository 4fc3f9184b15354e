/**
 * Configuration of the mass-disappearance guard ([scan.guard]): on by default with share
 * 0.5 and minResources 10, settable from the file, the environment and flags, and off.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { MassGuard } from '../../src/changes/mass-guard.js';
import { loadConfig, type ConfigSources } from '../../src/daemon/config-load.js';
import { isDaemonError } from '../../src/daemon/errors.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('elava-config-guard-');
const GCP_ONLY = 'gcp.projects = ["p1"]\n';

function load(s: Partial<ConfigSources>): ReturnType<typeof loadConfig> {
  return loadConfig({ env: {}, ...s });
}

function withFile(text: string): string {
  const p = path.join(dir, `g${fs.readdirSync(dir).length}.toml`);
  fs.writeFileSync(p, GCP_ONLY + text);
  return p;
}

describe('mass-disappearance guard configuration', () => {
  const plain = withFile('');
  const vectors: Array<[string, Partial<ConfigSources>, MassGuard | null]> = [
    ['is on by default with share 0.5 and minResources 10', { configPath: plain },
      { share: 0.5, minResources: 10 }],
    ['takes its values from the file',
      { configPath: withFile('[scan.guard]\nshare = 0.25\nminResources = 40\n') },
      { share: 0.25, minResources: 40 }],
    ['is turned off by enabled = false',
      { configPath: withFile('[scan.guard]\nenabled = false\n') }, null],
    ['is turned off from the environment',
      { configPath: plain, env: { ELAVA_SCAN_GUARD_ENABLED: 'false' } }, null],
    ['takes a share from a flag',
      { configPath: plain, flags: new Map([['scan-guard-share', '0.8']]) },
      { share: 0.8, minResources: 10 }],
  ];
  for (const [name, sources, expected] of vectors) {
    it(name, () => assert.deepEqual(load(sources).guard, expected));
  }

  const bad: Array<[string, string]> = [
    ['a share of 1 or more', '[scan.guard]\nshare = 1\n'],
    ['a share of 0', '[scan.guard]\nshare = 0\n'],
    ['an enabled that is not a boolean', '[scan.guard]\nenabled = "yes"\n'],
  ];
  for (const [name, text] of bad) {
    it(`refuses ${name}, naming the key`, () => {
      const path = withFile(text);
      assert.throws(
        () => load({ configPath: path }),
        (err) => isDaemonError(err) && err.key?.startsWith('scan.guard.') === true,
      );
    });
  }
});
