/**
 * The waste conditions whose age the waste report gives ("unattached for 40 days",
 * "stopped since March"): facts about one record alone, so the report (src/query/waste.ts)
 * and the projection that keeps their ages (src/projection/condition-since.ts) agree on
 * them by sharing this one definition.
 */
import type { ResourceRecord } from './resource.js';

/** An EBS volume `available` or with no attachment; a GCE disk with no users. */
export function isUnattached(r: ResourceRecord): boolean {
  if (r.type === 'ec2.volume') {
    const attachments = r.attrs['attachments'];
    return r.state === 'available' || (Array.isArray(attachments) && attachments.length === 0);
  }
  if (r.type === 'gce.disk') {
    const users = r.attrs['users'];
    return users === undefined || users === null || (Array.isArray(users) && users.length === 0);
  }
  return false;
}

/** EC2 `stopped`; GCE `TERMINATED` (GCE's stopped) or `SUSPENDED`. */
export function isStoppedInstance(r: ResourceRecord): boolean {
  if (r.type === 'ec2.instance') return r.state === 'stopped';
  if (r.type === 'gce.instance') return r.state === 'TERMINATED' || r.state === 'SUSPENDED';
  return false;
}

/**
 * The condition whose age a record of this type has: at most one applies to a type.
 * Its answer is written into the log with every change (the frame's EVENT_TAG_AGED,
 * src/projection/event-frame-key.ts), and the condition-since projection replays from
 * that bit: changing what counts as aged must also stop that projection from trusting the
 * bit of changes logged before (read their records instead), not only bump its version.
 */
export function inAgedCondition(r: ResourceRecord): boolean {
  return isUnattached(r) || isStoppedInstance(r);
}
