/**
 * The SIMULATED STS Query endpoint (namespace 2011-06-15): `GetCallerIdentity` and
 * `AssumeRole`, as STS answers them, and STS's error envelope `<ErrorResponse>`.
 *
 * Identity: as on the EC2/RDS endpoints, the access key id `SIM-<account>` is the caller's
 * account (an unknown `SIM-` account is `InvalidClientTokenId`; any other key id is the
 * scenario's first account). `AssumeRole` hands out credentials whose key id is
 * `SIM-<account of the role ARN>`, so what is listed with them is that account's, and a
 * session token that differs per call, so a refresh is visible as new credentials.
 *
 * Request log: `GetCallerIdentity` is logged under the caller's account, `AssumeRole`
 * under the role's account (the account the credentials are for), so tests can count
 * role assumptions per account.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { accountOf as accountOfAccessKey, SIM_ACCESS_KEY_PREFIX } from './aws-query.js';
import type { SimDeps } from './sim-deps.js';
import { header, send, sigV4Scope } from './sim-http.js';
import { escapeXml, leaf, node, XML_DECLARATION } from './xml.js';

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SESSION_SECONDS_MIN = 900;
const SESSION_SECONDS_MAX = 43_200;
const SESSION_SECONDS_DEFAULT = 3600;

interface StsError { status: number; code: string; message: string }

const INVALID_TOKEN: StsError = {
  status: 403,
  code: 'InvalidClientTokenId',
  message: 'The security token included in the request is invalid. ' +
    '(simulated: use access key id SIM-<account>)',
};

export function stsHandler(deps: SimDeps) {
  let sessions = 0;
  return async (req: IncomingMessage, body: string, res: ServerResponse): Promise<void> => {
    const params = new URLSearchParams(body);
    const action = params.get('Action') ?? '';
    const scope = sigV4Scope(header(req, 'authorization') ?? undefined);
    const requestId = deps.nextRequestId();
    const answer = (status: number, xml: string, account: string): void => {
      send(res, status, 'text/xml', xml);
      deps.log.add({
        service: 'sts', action, region: scope?.region ?? '', account, page: 0, status,
        attempt: header(req, 'amz-sdk-request'), fault: null, tick: deps.world.tick,
      });
    };
    const fail = (e: StsError, account = ''): void =>
      answer(e.status, renderError(e, requestId), account);
    const caller = accountOfAccessKey(scope?.accessKeyId, deps.world.scenario);
    if (scope === null || caller === null) return fail(INVALID_TOKEN);
    if (action === 'GetCallerIdentity') {
      return answer(200, callerIdentity(caller, requestId), caller);
    }
    if (action !== 'AssumeRole') {
      const message = `Could not find operation ${action}`;
      return fail({ status: 400, code: 'InvalidAction', message });
    }
    const roleArn = params.get('RoleArn') ?? '';
    const roleAccount = ROLE_ARN.exec(roleArn)?.[1];
    if (roleAccount === undefined || !deps.world.scenario.aws.accounts.includes(roleAccount)) {
      const message = `User: arn:aws:iam::${caller}:user/sim is not authorized to perform: ` +
        `sts:AssumeRole on resource: ${roleArn} (simulated)`;
      return fail({ status: 403, code: 'AccessDenied', message }, caller);
    }
    const seconds = Number(params.get('DurationSeconds') ?? SESSION_SECONDS_DEFAULT);
    const inRange = seconds >= SESSION_SECONDS_MIN && seconds <= SESSION_SECONDS_MAX;
    if (!Number.isInteger(seconds) || !inRange) {
      const message =
        `DurationSeconds must be between ${SESSION_SECONDS_MIN} and ${SESSION_SECONDS_MAX}`;
      return fail({ status: 400, code: 'ValidationError', message }, roleAccount);
    }
    sessions++;
    const session = { account: roleAccount, roleArn, token: `sim-session-${sessions}`, seconds };
    const sessionName = params.get('RoleSessionName') ?? 'sim';
    answer(200, assumedRole(session, sessionName, requestId), roleAccount);
  };
}

function callerIdentity(account: string, requestId: string): string {
  return `${XML_DECLARATION}<GetCallerIdentityResponse xmlns="${STS_NS}">` +
    node('GetCallerIdentityResult',
      leaf('Arn', `arn:aws:iam::${account}:user/sim`) +
      leaf('UserId', `AIDASIM${account}`) +
      leaf('Account', account)) +
    node('ResponseMetadata', leaf('RequestId', requestId)) +
    '</GetCallerIdentityResponse>';
}

interface Session { account: string; roleArn: string; token: string; seconds: number }

function assumedRole(s: Session, sessionName: string, requestId: string): string {
  const roleName = s.roleArn.slice(s.roleArn.lastIndexOf('/') + 1);
  const expiration = new Date(Date.now() + s.seconds * 1000).toISOString();
  return `${XML_DECLARATION}<AssumeRoleResponse xmlns="${STS_NS}">` +
    node('AssumeRoleResult',
      node('AssumedRoleUser',
        leaf('Arn', `arn:aws:sts::${s.account}:assumed-role/${roleName}/${sessionName}`) +
        leaf('AssumedRoleId', `AROASIM${s.account}:${sessionName}`)) +
      node('Credentials',
        leaf('AccessKeyId', `${SIM_ACCESS_KEY_PREFIX}${s.account}`) +
        leaf('SecretAccessKey', 'simulated-secret') +
        leaf('SessionToken', s.token) +
        leaf('Expiration', expiration))) +
    node('ResponseMetadata', leaf('RequestId', requestId)) +
    '</AssumeRoleResponse>';
}

function renderError(e: StsError, requestId: string): string {
  const type = e.status >= 500 ? 'Receiver' : 'Sender';
  return `${XML_DECLARATION}<ErrorResponse xmlns="${STS_NS}"><Error><Type>${type}</Type>` +
    `<Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message></Error>` +
    `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
}
