import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultScenario, loadScenario } from '../../src/sim/scenario-load.js';

const dir = mkdtempSync(join(tmpdir(), 'elava-sim-scenario-'));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('sim scenarios', () => {
  it('defaults are valid and overrides replace whole sections', () => {
    const s = defaultScenario({ seed: 9, pageSize: { ec2: 50, rds: 20, gcp: 10 } });
    assert.equal(s.seed, 9);
    assert.equal(s.pageSize.rds, 20);
    assert.deepEqual(s.aws.regions, ['us-east-1', 'eu-west-1']);
  });

  it('a TOML file fills only what it names and keeps the defaults for the rest', () => {
    const s = loadScenario(write('a.toml', [
      'seed = 3',
      '[fleet]',
      'ec2Instances = 5',
      '[[faults]]',
      'kind = "throttle"',
      'service = "ec2"',
      'times = 2',
      'ticks = [1, 2]',
      '[[faults]]',
      'kind = "unreachable-zone"',
      'zone = "us-central1-a"',
    ].join('\n')));
    assert.equal(s.seed, 3);
    assert.equal(s.fleet.ec2Instances, 5);
    assert.equal(s.fleet.rdsInstances, defaultScenario().fleet.rdsInstances);
    assert.deepEqual(s.faults, [
      { kind: 'throttle', service: 'ec2', times: 2, ticks: [1, 2] },
      { kind: 'unreachable-zone', zone: 'us-central1-a' },
    ]);
  });

  it('a JSON file loads the same way', () => {
    const s = loadScenario(write('b.json', JSON.stringify({ gcp: { projects: ['sim-project-x'] } })));
    assert.deepEqual(s.gcp.projects, ['sim-project-x']);
    assert.deepEqual(s.gcp.zones, defaultScenario().gcp.zones);
  });

  const bad: [string, string, RegExp][] = [
    ['a negative fleet count', '[fleet]\nec2Instances = -1', /fleet\.ec2Instances/],
    ['an unknown key', '[fleet]\nec2Instance = 3', /fleet\.ec2Instance: unknown key/],
    ['an unknown fault kind', '[[faults]]\nkind = "meteor"', /faults\[0\]\.kind/],
    ['a fault missing its page', '[[faults]]\nkind = "error-on-page"\nservice = "ec2"', /faults\[0\]\.page/],
    [
      'a Compute-only bad body for EC2',
      '[[faults]]\nkind = "bad-body"\nservice = "ec2"\nbody = "no-kind"',
      /faults\[0\]\.body: must be one of html, empty, empty-500, json/,
    ],
    [
      'an unknown bad body',
      '[[faults]]\nkind = "bad-body"\nservice = "gcp"\nbody = "teapot"',
      /faults\[0\]\.body/,
    ],
    [
      'a repeated token on page 1, which is asked without one',
      '[[faults]]\nkind = "repeated-token"\nservice = "rds"\npage = 1',
      /faults\[0\]\.page/,
    ],
    ['an RDS page size below 20', '[pageSize]\nrds = 10', /pageSize\.rds/],
    ['an account that is not 12 digits', '[aws]\naccounts = ["123"]', /aws\.accounts\[0\]/],
    ['broken TOML', 'seed = = 1', /cannot parse/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what}, naming the key`, () => {
      assert.throws(() => loadScenario(write(`bad-${what.replace(/\W+/g, '-')}.toml`, text)), message);
    });
  }
});
