/**
 * The Swivel mobile provision code requirements: stable IDs, each quoting the specification
 * (docs/spec/swivel-mobile-provision.txt, "Mobile Provision Code") verbatim. Where it is silent about the
 * server's wire behaviour (error answers, HTTP 500), the quote is from docs/spec/server-requirements.md,
 * section 2, and `source` says so.
 */
import type { Requirement } from './types.ts';

export const SPECIFICATION = 'Swivel Mobile Provision Code';

const ISSUE = 'server-requirements.md, section 2 (swivel-mobile-provision.txt is silent on the wire behaviour)';

export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'SW-DEVICE-ONE-PER-USER',
    title: 'One provisioned device per user: provisioning another device retires the previous one',
    severity: 'MUST',
    quote: 'Each username may have one Mobile Client Provisioned.',
    source: 'Mobile Provision Code Overview, Swivel version 3.8',
  },
  {
    id: 'SW-REPROVISION-INVALIDATES',
    title: 'A provision or re-provision that reaches the server invalidates the current security strings',
    severity: 'MUST',
    quote:
      'A request to provision a new mobile device or re-provision an existing mobile device that reaches the Swivel server will invalidate the current security strings.',
    source: 'Mobile Provision Code Overview, Swivel version 3.8',
  },
  {
    id: 'SW-STRINGS-NEED-PROVISION',
    title: 'Security strings are downloaded only by a provisioned device (its device id)',
    severity: 'MUST',
    quote:
      'From Swivel 3.8 onwards the Swivel Mobile client must be provisioned to allow the Mobile client to download security strings for a user.',
    source: 'Mobile Provision Code Overview, Swivel version 3.8',
  },
  {
    id: 'SW-CODE-OWN-USER',
    title: "A provision code provisions only the user it was made for (no one gets another person's strings)",
    severity: 'MUST',
    quote: 'A user cannot download another persons security strings',
    source: 'Mobile Provision Code Overview, Swivel version 3.8',
  },
  {
    id: 'SW-CODE-ONCE',
    title: 'A provision code works once',
    severity: 'MUST',
    quote: 'The provision code is not valid or has already been used.',
    source: 'Error Messages, Invalid Provision Code',
  },
  {
    id: 'SW-CODE-EXPIRY',
    title: 'A provision code expires after the validity period',
    severity: 'MUST',
    quote:
      'The code sent to the user is valid for a length of time set under: Swivel Administration Console select Policy/Self-Reset.',
    source: 'Swivel Configuration, Mobile Provisioning',
  },
  {
    id: 'SW-POLICY-VALIDITY',
    title: 'Provision code validity period: default 600 s; 10..1000000 accepted, anything else rejected',
    severity: 'MUST',
    quote:
      'Provision Code Validity period (seconds): Default 600, Options 10-1000000 Note: this value is for all Mobile Provision Codes.',
    source: 'Mobile Self Provisioning, Policy/Self-Reset',
  },
  {
    id: 'SW-POLICY-LOG-DEVICE-DEFAULT',
    title: 'Logging device information when provisioning is off by default',
    severity: 'SHOULD',
    quote: 'Log device information when provisioning: Default No, Options Yes/No',
    source: 'Mobile Self Provisioning, Policy/Self-Reset',
  },
  {
    id: 'SW-SELF-PROVISION-DEFAULT-OFF',
    title: 'Self-provisioning is off by default: a user cannot obtain a provision code themselves',
    severity: 'MUST',
    quote: 'Allow user self-provision of mobile client: Default No, Options Yes/No',
    source: 'Mobile Self Provisioning, Policy/Self-Reset',
  },
  {
    id: 'SW-SELF-PROVISION-ALLOWED',
    title: 'With self-provisioning allowed, a user obtains a working provision code',
    severity: 'MUST',
    quote: 'A user can be permitted to provision their own mobile device.',
    source: 'Mobile Self Provisioning',
  },
  {
    id: 'SW-ERR-UNKNOWN-USER',
    title: 'A provision for a user not in the user database: FAIL AGENT_ERROR_NO_USER_FOUND',
    severity: 'MUST',
    quote: 'A Mobile Provision Code was entered for a user who is not present on the Swivel user database.',
    source: 'Error Messages, Mobile request from unknown user',
  },
  {
    id: 'SW-ERR-INVALID-CODE',
    title: 'A wrong, used or expired provision code: FAIL AGENT_ERROR_INVALID_PROVISION_CODE',
    severity: 'MUST',
    quote:
      'This can be caused by an incorrect Mobile Provision Code, or the time allowed for provisioning a device has been exceeded.',
    source: 'Error Messages, Provision Failure',
  },
  {
    id: 'SW-ERR-OLD-DEVICE',
    title: 'Security strings for a retired or unknown device id: FAIL AGENT_ERROR_NOT_PROVISIONED',
    severity: 'MUST',
    quote:
      'The security strings on the mobile phone will be invalid until a successful provision is carried out and a new set of security strings are downloaded.',
    source: 'Error Messages, Provision Failure (note)',
  },
  {
    id: 'SW-ERR-MISSING-ELEMENT',
    title: 'A request missing a required element: FAIL AGENT_ERROR_MISSING_ELEMENT',
    severity: 'MUST',
    quote:
      'unknown user, wrong code, expired code, missing elements, malformed XML: a FAIL with the right error and no state change, never an HTTP 500',
    source: ISSUE,
  },
  {
    id: 'SW-ERR-MALFORMED',
    title: 'A body that is not well-formed XML (or not a SASRequest): FAIL AGENT_ERROR_MALFORMED_XML / BAD_REQUEST',
    severity: 'MUST',
    quote:
      'unknown user, wrong code, expired code, missing elements, malformed XML: a FAIL with the right error and no state change, never an HTTP 500',
    source: ISSUE,
  },
  {
    id: 'SW-FAIL-NO-STATE-CHANGE',
    title: 'A FAIL changes nothing: devices, security strings and outstanding codes stay as they were',
    severity: 'MUST',
    quote:
      'unknown user, wrong code, expired code, missing elements, malformed XML: a FAIL with the right error and no state change, never an HTTP 500',
    source: ISSUE,
  },
  {
    id: 'SW-NO-SERVER-ERROR',
    title: 'Every AgentXML request gets a SASResponse: never an HTTP 500, a hang or a dropped connection',
    severity: 'MUST',
    quote:
      'unknown user, wrong code, expired code, missing elements, malformed XML: a FAIL with the right error and no state change, never an HTTP 500',
    source: ISSUE,
  },
  {
    id: 'SW-WIRE-RESPONSE',
    title: 'The answer is a SASResponse with Version, RequestID, Result PASS|FAIL, Error, and Id on a provision PASS',
    severity: 'MUST',
    quote:
      'answer `<SASResponse><Version/><RequestID/><Result>PASS|FAIL</Result><Error/><Id>device-id</Id></SASResponse>`',
    source: 'server-requirements.md, section 2 (AgentXML wire format)',
  },
  {
    id: 'SW-WIRE-REQUEST-ID',
    title: "The answer echoes the request's RequestID",
    severity: 'MUST',
    quote: '`<RequestID>` is echoed.',
    source: 'server-requirements.md, section 2 (AgentXML wire format)',
  },
  {
    id: 'SW-CLUSTER-NO-SHARING',
    title: 'Cluster without session sharing: a provision code is valid only on the instance that made it',
    severity: 'MUST',
    quote:
      'If a Swivel cluster is configured with multiple servers, then session sharing should be enabled, otherwise the provision code is stored in memory and only valid on the Swivel instance that it is generated.',
    source: 'Requirements',
  },
  {
    id: 'SW-CLUSTER-SHARING',
    title: 'Cluster with session sharing: a provision code is valid on every instance',
    severity: 'MUST',
    quote:
      'If a Swivel cluster is configured with multiple servers, then session sharing should be enabled, otherwise the provision code is stored in memory and only valid on the Swivel instance that it is generated.',
    source: 'Requirements',
  },
];

const BY_ID = new Map<string, Requirement>(REQUIREMENTS.map((r) => [r.id, r]));

export const REQUIREMENT_IDS: ReadonlySet<string> = new Set(BY_ID.keys());

/** The requirement with this id; throws on an unknown id (a typo in a vector or in the model). */
export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (found === undefined) throw new Error(`unknown Swivel requirement "${id}" (see suites/swivel/requirements.ts)`);
  return found;
}
