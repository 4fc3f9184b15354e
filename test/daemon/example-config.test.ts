/**
 * elava.example.toml tells the truth about defaults: every key it sets without an
 * "Example" mark holds exactly the built-in default, so a reader can trust "the value shown
 * is the default". Keys under "# Example" (and the [[aws.accounts]] tables) are examples.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { defaultValues } from '../../src/daemon/config.js';
import { keySpec } from '../../src/daemon/config-keys.js';
import { repoRoot } from '../helpers/tmp.js';

interface Shown { path: string; value: unknown; line: number }

/** The keys the example sets as defaults: not under an "Example" comment, not in [[...]]. */
function shownAsDefault(text: string): Shown[] {
  const shown: Shown[] = [];
  let section = '';
  let arrayTable = false;
  let example = false;
  let afterKey = false;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') {
      example = false;
    } else if (line.startsWith('#')) {
      if (afterKey) example = false; // a new comment block
      if (/\bExample\b/.test(line)) example = true;
    } else if (line.startsWith('[')) {
      arrayTable = line.startsWith('[[');
      section = line.replace(/^\[+|\]+$/g, '');
    } else if (!example && !arrayTable) {
      const key = line.slice(0, line.indexOf('=')).trim();
      const path = section === '' ? key : `${section}.${key}`;
      shown.push({ path, value: parseToml(line)[key], line: i + 1 });
    }
    afterKey = line !== '' && !line.startsWith('#') && !line.startsWith('[');
  });
  return shown;
}

describe('elava.example.toml', () => {
  it('shows the built-in default for every key it does not mark as an example', () => {
    const text = fs.readFileSync(path.join(repoRoot(), 'elava.example.toml'), 'utf8');
    const shown = shownAsDefault(text);
    const defaults = defaultValues();
    assert.ok(shown.length >= 12, `found ${shown.length} default lines`);
    for (const s of shown) {
      assert.ok(keySpec(s.path) !== undefined, `line ${s.line}: ${s.path} is a config key`);
      assert.deepEqual(s.value, defaults[s.path], `line ${s.line}: ${s.path} shows the default`);
    }
  });
});
