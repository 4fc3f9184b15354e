/**
 * One credential provider per configured AWS account, shared by every client of that
 * account (EC2 and RDS, every region):
 *
 *   source (injected keys | named profile | SDK default chain)
 *     → AssumeRole when `roleArn` is set (once per credential lifetime, see assume-role.ts)
 *     → identity check (STS GetCallerIdentity, see account-identity.ts)
 *
 * The account's STS client (region and endpoint from the scan's STS settings) carries the
 * source credentials: it resolves the profile or default chain and assumes the role.
 */
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { identityCheckedCredentials, stsWhoAmI } from './account-identity.js';
import { assumeRoleCredentials, type CredentialProvider } from './assume-role.js';

export interface AwsAccountConfig {
  /** The 12-digit account id; it is part of every resource key. */
  id: string;
  /** Named profile from ~/.aws/config (also the source profile when `roleArn` is set). */
  profile?: string;
  /** Role to assume in this account. */
  roleArn?: string;
  externalId?: string;
}

export interface AccountCredentials {
  readonly provider: CredentialProvider;
  destroy(): void;
}

export function accountCredentials(
  account: AwsAccountConfig,
  sts: STSClientConfig,
  source: CredentialProvider | undefined,
): AccountCredentials {
  let from: Pick<STSClientConfig, 'credentials' | 'profile'> = {};
  if (source !== undefined) from = { credentials: source };
  else if (account.profile !== undefined) from = { profile: account.profile };
  const client = new STSClient({ ...sts, ...from });
  let base: CredentialProvider;
  if (account.roleArn !== undefined) {
    base = assumeRoleCredentials(client, {
      roleArn: account.roleArn,
      ...(account.externalId !== undefined ? { externalId: account.externalId } : {}),
    });
  } else {
    const chain = client.config.credentials;
    base = source ?? (() => chain());
  }
  return {
    provider: identityCheckedCredentials(account.id, base, stsWhoAmI(sts)),
    destroy: () => client.destroy(),
  };
}
