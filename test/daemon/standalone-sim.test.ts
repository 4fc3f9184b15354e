/**
 * What `elava sim` promises: a daemon configured by hand (endpoints and credentials, as the
 * standalone simulator prints them) scans the SIMULATED cloud through the real-cloud code
 * path — default AWS credential chain from the environment, Compute endpoint override and
 * a static access token — and lists every scope completely.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/daemon/config-load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { realScanSetup } from '../../src/daemon/scan-setup.js';
import { startSimCloud } from '../../src/sim/cloud.js';
import { simAwsCredentials } from '../../src/sim/clients.js';
import { defaultScenario } from '../../src/sim/scenario-load.js';
import { tempDir } from '../helpers/tmp.js';

describe('a daemon pointed at a standalone simulated cloud', () => {
  it('lists every scope completely through the real-cloud configuration keys', async () => {
    // given a standalone simulator and a config written from what it prints
    const scenario = defaultScenario({ aws: { accounts: ['111111111111'], regions: ['us-east-1', 'eu-west-1'] }, gcp: { projects: ['sim-project-a'], zones: ['us-central1-a', 'europe-west1-b'] } });
    const cloud = await startSimCloud(scenario);
    const creds = simAwsCredentials('111111111111');
    process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
    const dir = tempDir();
    const file = path.join(dir, 'elava.toml');
    fs.writeFileSync(
      file,
      [
        `dataDir = "${path.join(dir, 'data')}"`,
        'http.listen = "off"',
        '[aws]',
        'regions = ["us-east-1", "eu-west-1"]',
        `endpoints = { ec2 = "${cloud.ec2Endpoint}", rds = "${cloud.rdsEndpoint}", sts = "${cloud.stsEndpoint}" }`,
        '[[aws.accounts]]',
        'id = "111111111111"',
        '[gcp]',
        'projects = ["sim-project-a"]',
        'zones = ["us-central1-a", "europe-west1-b"]',
        `endpoint = "${cloud.gcp.protocol}://${cloud.gcp.apiEndpoint}:${cloud.gcp.port}"`,
        'accessToken = "sim"',
        '',
      ].join('\n'),
    );
    const config = loadConfig({ configPath: file, env: {} });
    const scan = realScanSetup(config);
    const daemon = await Daemon.open({ config, scan, logger: pino({ level: 'silent' }), create: true, processMetrics: false });
    try {
      // when one cycle runs
      const report = await daemon.runCycle();
      // then no scope failed and everything the simulator holds appeared
      assert.deepEqual(report.failedScopes, []);
      // AWS: 8 types × 2 regions; GCP: 2 zonal types × 2 zones, addresses in the zones'
      // 2 regions, and the global addresses, snapshots and images of the project
      assert.equal(report.scopes, 16 + 4 + 2 + 3);
      assert.equal(report.appeared, cloud.truth().length);
    } finally {
      await daemon.close();
      await cloud.close();
    }
  });
});
