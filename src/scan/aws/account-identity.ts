/**
 * Account identity: credentials are used for a configured account only after STS
 * `GetCallerIdentity`, called with those very credentials, has answered with that
 * account's id. Otherwise every request the account's clients would sign fails with a
 * ScanError `wrong-account` (naming the configured and the actual account), so nothing
 * another account holds is ever recorded under the configured id.
 *
 * When: the first time the account's credentials are used (at start), and again whenever
 * the provider hands out different credentials (new keys from the chain, an AssumeRole
 * refresh). A definite verdict (match or mismatch) is kept for those credentials; a failed
 * STS call (unreachable, throttled) is not, so the next request asks again.
 */
import { GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { describeError, ScanError } from '../scan-error.js';
import type { AwsCredentials, CredentialProvider } from './assume-role.js';
import { awsErrorCode } from './classify-aws-error.js';

export interface CallerIdentity {
  account: string;
  arn: string;
}

export type WhoAmI = (credentials: AwsCredentials) => Promise<CallerIdentity>;

/** `source`, gated: its credentials are handed out only once they proved to be `account`'s. */
export function identityCheckedCredentials(
  account: string,
  source: CredentialProvider,
  whoAmI: WhoAmI,
): CredentialProvider {
  let checked: { key: string; verdict: Promise<void> } | null = null;
  return async () => {
    const credentials = await source();
    const key = `${credentials.accessKeyId}\u0000${credentials.sessionToken ?? ''}`;
    let entry = checked;
    if (entry === null || entry.key !== key) {
      const fresh = { key, verdict: verify(account, credentials, whoAmI) };
      entry = fresh;
      checked = fresh;
      fresh.verdict.catch((err: unknown) => {
        const definite = err instanceof ScanError && err.code === 'wrong-account';
        if (!definite && checked === fresh) checked = null;
      });
    }
    await entry.verdict;
    return credentials;
  };
}

async function verify(account: string, credentials: AwsCredentials, whoAmI: WhoAmI): Promise<void> {
  let identity: CallerIdentity;
  try {
    identity = await whoAmI(credentials);
  } catch (err) {
    const message = `cannot check which account the credentials for ${account} belong to ` +
      `(STS GetCallerIdentity): ${describeError(err)}`;
    throw new ScanError(awsErrorCode(err), message, { cause: err });
  }
  if (identity.account !== account) {
    throw new ScanError(
      'wrong-account',
      `credentials configured for account ${account} belong to account ${identity.account} ` +
        `(${identity.arn}); nothing is listed for ${account} until they match`,
    );
  }
}

/** GetCallerIdentity signed with `credentials`, through a client made for this one call. */
export function stsWhoAmI(config: STSClientConfig): WhoAmI {
  return async (credentials) => {
    const client = new STSClient({ ...config, credentials });
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      if (out.Account === undefined) {
        throw new ScanError('malformed-response', 'GetCallerIdentity answered without an Account');
      }
      return { account: out.Account, arn: out.Arn ?? '' };
    } finally {
      client.destroy();
    }
  };
}
