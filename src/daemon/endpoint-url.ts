/**
 * Endpoint URLs in the configuration (aws.endpoints.*, gcp.endpoint): http or https only,
 * no user name or password (SigV4 and OAuth carry credentials in headers; a password in a
 * URL would only end up in logs). Error messages never echo the userinfo part of what was
 * given: it is replaced by `***`.
 *
 * `aws.endpoints.ec2` / `.rds` take one URL for every region, or one per region: a TOML
 * table (`[aws.endpoints.ec2]  "us-east-1" = "https://..."`), or as env/flag text
 * `us-east-1=https://a,eu-west-1=https://b`.
 */

/** Why `text` is not a usable endpoint URL, or null when it is. */
export function endpointUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(redactUserinfo(text))} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${JSON.stringify(redactUserinfo(text))} is not an http(s) URL`;
  }
  if (url.username !== '' || url.password !== '') {
    return `${JSON.stringify(redactUserinfo(text))} must not carry a user name or password`;
  }
  return null;
}

/** `https://user:pw@host/` → `https://***@host/`; text without userinfo is returned as is. */
export function redactUserinfo(text: string): string {
  const userinfo = /^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i;
  return text.replace(userinfo, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Regions an endpoint table may name: far more than AWS has. */
export const ENDPOINT_REGIONS_MAX = 64;

/** `us-east-1=URL,eu-west-1=URL` → a table; a text without `region=` is one URL. */
export function endpointsFromText(text: string): string | Record<string, string> {
  const items = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const pairs = items.map((item) => /^([a-z0-9-]+)=(.+)$/.exec(item));
  if (items.length === 0 || pairs.some((m) => m === null)) return text.trim();
  const table: Record<string, string> = {};
  for (const m of pairs) if (m !== null) table[m[1] as string] = m[2] as string;
  return table;
}

/** Checks one URL or a region → URL table; returns it, or calls `fail` with the problem. */
export function checkEndpoints(
  value: unknown,
  fail: (problem: string) => never,
): string | Record<string, string> {
  if (typeof value === 'string') {
    const problem = endpointUrlProblem(value);
    return problem === null ? value : fail(problem);
  }
  const isTable = typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isTable || value instanceof Date) {
    return fail('must be a URL, or a table of region = URL');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0 || entries.length > ENDPOINT_REGIONS_MAX) {
    return fail(`must name 1..${ENDPOINT_REGIONS_MAX} regions`);
  }
  const table: Record<string, string> = {};
  for (const [region, url] of entries) {
    const name = JSON.stringify(region);
    if (!REGION_NAME.test(region)) fail(`${name} is not a region name (e.g. us-east-1)`);
    if (typeof url !== 'string') return fail(`region ${name}: must be a URL string`);
    const problem = endpointUrlProblem(url);
    if (problem !== null) fail(`region ${name}: ${problem}`);
    table[region] = url;
  }
  return table;
}
