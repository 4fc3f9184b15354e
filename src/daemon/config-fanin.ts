/**
 * The daemon's fan-in sections, validated: [forward] (forward this directory's log to a
 * JetStream stream from this process) and [aggregate] (consume the stream into this
 * directory's log from this process). Both are off unless their natsServers is set; both
 * take the same NATS connection keys (user/password, token, .creds, TLS files), checked
 * before anything connects, and a bad one fails naming the key, never a secret.
 */
import { isFaninError } from '../fanin/errors.js';
import { checkDurableName, checkNatsOptions, type NatsOptions } from '../fanin/nats-options.js';
import { checkValue, type ConfigValues } from './config-values.js';

export interface ForwardConfig {
  nats: NatsOptions;
  inFlightMax: number;
}

export interface AggregateConfig {
  nats: NatsOptions;
  /** The durable consumer's name. */
  durable: string;
  ackWaitMs: number;
}

/** Shortest ack wait accepted (as `elava aggregate --ack-wait`). */
const ACK_WAIT_MS_MIN = 1000;

export function forwardSection(values: ConfigValues): ForwardConfig | null {
  const nats = natsSection(values, 'forward');
  if (nats === null) return null;
  return { nats, inFlightMax: checkValue(values, 'forward.inFlight') as number };
}

export function aggregateSection(values: ConfigValues): AggregateConfig | null {
  const nats = natsSection(values, 'aggregate');
  if (nats === null) return null;
  const durable = checkValue(values, 'aggregate.durable') as string;
  try {
    checkDurableName(durable);
  } catch (err) {
    if (isFaninError(err, 'FANIN_CONFIG')) values.fail('aggregate.durable', err.message);
    throw err;
  }
  const ackWaitMs = checkValue(values, 'aggregate.ackWait') as number;
  if (ackWaitMs < ACK_WAIT_MS_MIN) values.fail('aggregate.ackWait', `must be at least ${ACK_WAIT_MS_MIN / 1000}s`);
  return { nats, durable, ackWaitMs };
}

/** `<section>.natsServers` and the connection keys beside it; null when no server is set. */
function natsSection(values: ConfigValues, section: 'forward' | 'aggregate'): NatsOptions | null {
  const servers = checkValue(values, `${section}.natsServers`) as string[];
  if (servers.length === 0) return null;
  const nats: NatsOptions = { servers, stream: checkValue(values, `${section}.stream`) as string };
  const keys = [['user', 'natsUser'], ['password', 'natsPassword'], ['token', 'natsToken'], ['credsFile', 'natsCreds'],
    ['tlsCa', 'natsTlsCa'], ['tlsCert', 'natsTlsCert'], ['tlsKey', 'natsTlsKey']] as const;
  for (const [field, key] of keys) {
    const value = checkValue(values, `${section}.${key}`) as string | undefined;
    if (value !== undefined) nats[field] = value;
  }
  try {
    checkNatsOptions(nats);
  } catch (err) {
    if (isFaninError(err, 'FANIN_CONFIG')) values.fail(`${section}.natsServers`, err.message);
    throw err;
  }
  return nats;
}
