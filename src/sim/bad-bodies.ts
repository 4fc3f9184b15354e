/**
 * Answers of the SIMULATED cloud that are not listings, shared by every protocol: what a
 * captive portal, a TLS-intercepting or misconfigured proxy puts in front of a real cloud.
 * The protocol-specific ones (another action's answer, an envelope without its list, the
 * wrong format) are rendered by each protocol module; these are the ones that look alike.
 */

import type { SimBadBody } from './scenario.js';

export interface SimAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** A login page as a captive portal serves it: HTML that is not well-formed XML. */
export const CAPTIVE_PORTAL_HTML =
  '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Network login</title></head>' +
  '<body><h1>Sign in to continue</h1><p>This network requires you to log in.<br>' +
  '(simulated proxy page)</p></body></html>\n';

export type CommonBadBody = Extract<SimBadBody, 'html' | 'empty' | 'empty-500'>;

export function isCommonBadBody(body: SimBadBody): body is CommonBadBody {
  return body === 'html' || body === 'empty' || body === 'empty-500';
}

/** `contentType` is what the protocol would have declared (an empty body keeps it). */
export function commonBadAnswer(body: CommonBadBody, contentType: string): SimAnswer {
  switch (body) {
    case 'html':
      return { status: 200, contentType: 'text/html; charset=utf-8', body: CAPTIVE_PORTAL_HTML };
    case 'empty':
      return { status: 200, contentType, body: '' };
    case 'empty-500':
      return { status: 500, contentType, body: '' };
  }
}
