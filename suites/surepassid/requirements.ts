/**
 * The SurePassID requirement catalogue: stable IDs, each quoting its source verbatim. The specification
 * (docs/spec/surepassid-ota-provisioning.txt, "Provision Soft Token (OTA)") is a single short wiki page, so
 * the rules it does not state come from docs/spec/server-requirements.md, section 3, quoted as written;
 * docs/surepassid.md lists the readings the harness adds where both are silent.
 */
import type { Requirement } from './types.ts';

const SEED = 'surepassid-ota-provisioning.txt, Provision Soft Token (OTA)';
const ISSUE = 'server-requirements.md, section 3';

export const REQUIREMENTS: readonly Requirement[] = [
  {
    id: 'SP-WIRE-ANSWER',
    title: 'Every answer is a JSON object with an integer errorCode and a string errorMessage (never a 500 or a hang)',
    severity: 'MUST',
    quote: 'Sample REST/Json Response\n {  \n  "errorCode": 0,\n  "errorMessage": "OK",',
    source: `${SEED}, REST`,
  },
  {
    id: 'SP-SCHEMA-RESPONSE',
    title: "Every answer matches the response schema of its request's type",
    severity: 'MUST',
    quote: 'JSON Schemas (ajv) for every request and response',
    source: ISSUE,
  },
  {
    id: 'SP-CODE-RANGE',
    title: 'A failure is a non-zero errorCode from the documented 9000-9044 range, with its errorMessage',
    severity: 'MUST',
    quote:
      'Answers carry\n`errorCode` (0 = OK; 9000 PartnerLoginFailed, 9003 OTPInvalid, 9021 DeviceNotFound, the rest of the\n9000-9044 range as documented) and `errorMessage`.',
    source: ISSUE,
  },
  {
    id: 'SP-PROVISION-OK',
    title: "provision_oath_device for the user's own device succeeds (errorCode 0) and returns the device information",
    severity: 'MUST',
    quote: '// returns device information for local app provisioning.',
    source: `${SEED}, Sample WCF C# Repsonse`,
  },
  {
    id: 'SP-ADD-DEVICE',
    title: 'add_oath_device creates a device for the user; its deviceId is assigned by the server',
    severity: 'MUST',
    quote:
      'deviceIdstringUnique identifier for this device. This field is assigned by the server when the device was created.',
    source: `${SEED}, REST parameters`,
  },
  {
    id: 'SP-FIND-DEVICE',
    title: 'find_device finds a device of the account by its deviceId and names its user',
    severity: 'MUST',
    quote: '`find_device`',
    source: ISSUE,
  },
  {
    id: 'SP-CRED-9000',
    title: 'Bad account credentials (login name or key) are 9000 PartnerLoginFailed for every request type',
    severity: 'MUST',
    quote: 'bad account credentials are 9000 for every type',
    source: ISSUE,
  },
  {
    id: 'SP-USER-UNKNOWN',
    title: 'A username that is not a user of the account is an error (any non-zero errorCode)',
    severity: 'MUST',
    quote: 'unknown user or device errors',
    source: ISSUE,
  },
  {
    id: 'SP-DEVICE-UNKNOWN',
    title: "A deviceId that is not one of the user's (or the account's) devices is an error (9021 DeviceNotFound)",
    severity: 'MUST',
    quote: 'unknown user or device errors',
    source: ISSUE,
  },
  {
    id: 'SP-DEVICE-DELETED',
    title: 'A deleted device is not found any more (9021 DeviceNotFound) and cannot be provisioned',
    severity: 'MUST',
    quote: 'DeviceNotFound',
    source: ISSUE,
  },
  {
    id: 'SP-FIELDS-MALFORMED',
    title: 'Missing fields, wrongly typed fields, an unknown type or a body that is not JSON get a non-zero errorCode',
    severity: 'MUST',
    quote: 'missing or wrongly typed fields are a non-zero errorCode, never an HTTP 500 or a hang',
    source: ISSUE,
  },
  {
    id: 'SP-FIELDS-STRING',
    title: 'Every request field is a string: a number, array, object, boolean or null in its place is rejected',
    severity: 'MUST',
    quote: 'physicalDeviceIdstringUnique physical (hardware) identifier for this device',
    source: `${SEED}, REST parameters (data type of every parameter: string)`,
  },
  {
    id: 'SP-KEYURI-FORMAT',
    title: 'The QR code of a provisioned device carries an otpauth://totp/ (or hotp) Key URI with a label',
    severity: 'MUST',
    quote: "a provisioned device's QR code carries an `otpauth://` Key URI that is valid",
    source: ISSUE,
  },
  {
    id: 'SP-KEYURI-SECRET',
    title: 'The Key URI secret is RFC 4648 Base32 (A-Z, 2-7, optional = padding) of a key of at least 128 bits',
    severity: 'MUST',
    quote: '(Base32 secret, issuer, algorithm, digits, period)',
    source: ISSUE,
  },
  {
    id: 'SP-KEYURI-OWN-KEY',
    title:
      "Each device's Key URI carries a key of its own: no other device of the case was given it (a device may get its own key again)",
    // Neither the specification nor server-requirements.md says keys are per device; RFC 4226 only
    // recommends random (so distinct) keys. A server that gives two devices one key is a deviation from good
    // practice (non-strict), not a failure: docs/spec/verdict-audit.md, VA-SP-SHARED-KEY.
    severity: 'SHOULD',
    quote:
      'We RECOMMEND following the recommendations in [RFC4086] for all pseudorandom and random number generations.',
    source: 'RFC 4226 (HOTP), section 7.5, Management of Shared Secrets (the Key URI secret is its shared secret K)',
  },
  {
    id: 'SP-KEYURI-ISSUER',
    title: 'The Key URI names its issuer (issuer parameter; a label prefix, if any, equals it)',
    severity: 'MUST',
    quote: '(Base32 secret, issuer, algorithm, digits, period)',
    source: ISSUE,
  },
  {
    id: 'SP-KEYURI-PARAMS',
    title: 'algorithm is SHA1, SHA256 or SHA512, digits 6 or 8, period a positive number of seconds (totp)',
    severity: 'MUST',
    quote: '(Base32 secret, issuer, algorithm, digits, period)',
    source: ISSUE,
  },
];

const BY_ID = new Map<string, Requirement>(REQUIREMENTS.map((r) => [r.id, r]));

/** The requirement with this id; throws on an unknown id (a typo in a vector or in the model). */
export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (found === undefined)
    throw new Error(`unknown SurePassID requirement "${id}" (see suites/surepassid/requirements.ts)`);
  return found;
}

export const REQUIREMENT_IDS: ReadonlySet<string> = new Set(BY_ID.keys());
