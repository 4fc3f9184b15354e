/**
 * Credentials for an account reached by assuming a role (`roleArn` in the config).
 *
 * One provider per account: every client of the account (EC2 and RDS, every region) shares
 * it, so the role is assumed once per credential lifetime, not once per client. Assumed
 * credentials are kept until five minutes before they expire (the SDK clients refresh
 * theirs in the same window, so a refresh asks here and gets one new set); concurrent
 * callers share one pending AssumeRole. The STS client signs with the source credentials
 * (the default chain, a named profile, or what a test injects) and is the caller's to close.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { ScanError } from '../scan-error.js';

export interface AssumeRoleOptions {
  roleArn: string;
  externalId?: string;
  sessionName?: string;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export type CredentialProvider = () => Promise<AwsCredentials>;

const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;
const SESSION_DURATION_SECONDS = 3600;

export function assumeRoleCredentials(
  sts: STSClient,
  options: AssumeRoleOptions,
): CredentialProvider {
  let cached: AwsCredentials | null = null;
  let pending: Promise<AwsCredentials> | null = null;
  return async () => {
    const expiresMs = cached?.expiration?.getTime();
    const fresh = expiresMs === undefined || expiresMs - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
    if (cached !== null && fresh) return cached;
    pending ??= assumeRole(sts, options).finally(() => {
      pending = null;
    });
    cached = await pending;
    return cached;
  };
}

async function assumeRole(sts: STSClient, options: AssumeRoleOptions): Promise<AwsCredentials> {
  const out = await sts.send(
    new AssumeRoleCommand({
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
}
