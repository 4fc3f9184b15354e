/**
 * Where configuration comes from, lowest precedence first: built-in defaults, presets (the
 * `--simulate` mode's short interval), the TOML file, ELAVA_* environment variables, flags,
 * and finally values a mode forces (the simulated cloud's accounts and projects). Unknown
 * keys in the file are errors naming the key; unknown ELAVA_* variables are ignored (other
 * tools may share the prefix).
 */
import { CONFIG_FILE_BYTES_MAX } from '../limits.js';
import { isWalError } from '../wal/errors.js';
import { nodeFileSystem, readRegularFile } from '../wal/file-system.js';
import { parse as parseToml } from 'smol-toml';
import { buildConfig, defaultValues, type DaemonConfig } from './config.js';
import { CONFIG_KEYS, envNameOf, isSection, keyOfFlag, keySpec } from './config-keys.js';
import { ConfigValues } from './config-values.js';
import { DaemonError } from './errors.js';

export interface ConfigSources {
  /** A TOML file; absent: defaults, env and flags only. */
  configPath?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Flag name without dashes (`http-listen`) → value, for keys of CONFIG_KEYS. */
  flags?: ReadonlyMap<string, string>;
  /** Dotted key → value, below the file (e.g. the simulate mode's interval). */
  presets?: Readonly<Record<string, unknown>>;
  /** Dotted key → value, above everything. */
  forced?: Readonly<Record<string, unknown>>;
  /** How presets and forced values are labelled in messages. */
  modeLabel?: string;
}

export function loadConfig(sources: ConfigSources): DaemonConfig {
  const values = new ConfigValues();
  for (const [path, value] of Object.entries(defaultValues())) values.set(path, value, 'default');
  const mode = sources.modeLabel ?? 'preset';
  for (const [path, value] of Object.entries(sources.presets ?? {})) values.set(path, value, mode);
  if (sources.configPath !== undefined) {
    const tree = readToml(sources.configPath);
    flattenTable(values, tree, '', sources.configPath);
  }
  for (const spec of CONFIG_KEYS) {
    const name = envNameOf(spec.path);
    const text = sources.env[name];
    if (text !== undefined && text !== '') values.setText(spec, text, name);
  }
  for (const [flag, text] of sources.flags ?? new Map<string, string>()) {
    const spec = keyOfFlag(flag);
    if (spec === undefined) throw new Error(`flag --${flag} is not a config key`); // the CLI checks first
    values.setText(spec, text, `--${flag}`);
  }
  for (const [path, value] of Object.entries(sources.forced ?? {})) values.set(path, value, mode);
  return buildConfig(values);
}

function readToml(path: string): Record<string, unknown> {
  let text: string;
  try {
    // A regular file of bounded size: a FIFO must not hang start-up, /dev/zero not fill memory.
    text = readRegularFile(nodeFileSystem, path, CONFIG_FILE_BYTES_MAX).toString('utf8');
  } catch (err) {
    if (isWalError(err, 'WAL_NOT_REGULAR_FILE')) {
      throw new DaemonError('CONFIG_UNREADABLE', `config file ${path}: not a regular file (a FIFO, a device or a directory?)`, { cause: err });
    }
    if (isWalError(err, 'WAL_FILE_TOO_LARGE')) {
      throw new DaemonError('CONFIG_UNREADABLE', `config file ${path}: larger than ${CONFIG_FILE_BYTES_MAX} bytes; not read`, { cause: err });
    }
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new DaemonError('CONFIG_UNREADABLE', `config file ${path}: cannot read it (${code})`, { cause: err });
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    const first = ((err as Error).message.split('\n', 1)[0] ?? '').trim();
    throw new DaemonError('CONFIG_UNREADABLE', `config file ${path}: not valid TOML: ${first}`, { cause: err });
  }
}

/** Sets every key of a TOML table; a key that is neither a config key nor a section fails. */
function flattenTable(values: ConfigValues, table: Record<string, unknown>, prefix: string, file: string): void {
  for (const [k, value] of Object.entries(table)) {
    const path = prefix === '' ? k : `${prefix}.${k}`;
    if (keySpec(path) !== undefined) {
      values.set(path, value, file);
    } else if (isSection(path) && typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)) {
      flattenTable(values, value as Record<string, unknown>, path, file);
    } else if (isSection(path)) {
      values.set(path, value, file);
      values.fail(path, `must be a table ([${path}])`);
    } else {
      values.set(path, value, file);
      values.fail(path, 'unknown key (see elava.example.toml for every key)');
    }
  }
}
