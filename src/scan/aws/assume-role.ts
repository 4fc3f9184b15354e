/**
 * Credentials for an account reached by assuming a role (`roleArn` in the config).
 *
 * The source credentials come from the SDK's default chain (optionally a named profile),
 * resolved through an EC2 client's own credential provider, so no credential package
 * beyond what the client packages bring is needed. The STS client is the one the SDK's
 * own credential providers use (`@aws-sdk/nested-clients/sts`, a dependency of the client
 * packages, not of Elava directly): it is loaded only when a role is configured.
 *
 * Assumed credentials are cached until five minutes before they expire.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ScanError } from '../scan-error.js';

export interface AssumeRoleOptions {
  roleArn: string;
  externalId?: string;
  /** Profile holding the source credentials; the default chain when absent. */
  sourceProfile?: string;
  /** Region of the STS endpoint. */
  region: string;
  sessionName?: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
const SESSION_DURATION_SECONDS = 3600;

export function assumeRoleCredentials(options: AssumeRoleOptions): () => Promise<AwsCredentials> {
  let cached: AwsCredentials | null = null;
  let pending: Promise<AwsCredentials> | null = null;
  return async () => {
    const fresh = cached?.expiration === undefined || cached.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
    if (cached !== null && fresh) return cached;
    pending ??= assumeRole(options).finally(() => {
      pending = null;
    });
    cached = await pending;
    return cached;
  };
}

async function assumeRole(options: AssumeRoleOptions): Promise<AwsCredentials> {
  const sts = await import('@aws-sdk/nested-clients/sts');
  const source = new EC2Client({ region: options.region, ...(options.sourceProfile ? { profile: options.sourceProfile } : {}) });
  const client = new sts.STSClient({ region: options.region, credentials: source.config.credentials });
  try {
    const out = await client.send(
      new sts.AssumeRoleCommand({
        RoleArn: options.roleArn,
        RoleSessionName: options.sessionName ?? 'elava-scan',
        DurationSeconds: SESSION_DURATION_SECONDS,
        ...(options.externalId ? { ExternalId: options.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) {
      throw new ScanError('access-denied', `AssumeRole ${options.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken !== undefined ? { sessionToken: c.SessionToken } : {}),
      ...(c.Expiration !== undefined ? { expiration: c.Expiration } : {}),
    };
  } finally {
    client.destroy();
    source.destroy();
  }
}
