/**
 * The oracle: what a SurePassID server must answer to one request, given the accounts, users and devices
 * that exist. It reads the seed and issue 4 (requirements.ts) plus the harness's readings in
 * docs/surepassid.md, never the reference server's code.
 *
 * Error precedence is left open where the sources are: a request that breaks several rules may get the code
 * of any of them. Only two orders are fixed, because the requirement says so: bad account credentials on a
 * well-formed request are 9000 whatever else is wrong, and a malformed request is never a success.
 */
import {
  DEVICE_ASSIGNED_TO_DIFFERENT_PARTNER,
  DEVICE_IN_USE,
  DEVICE_INVALID,
  DEVICE_NOT_FOUND,
  PARTNER_LOGIN_FAILED,
  PARTNER_USER_LOGIN_FAILED,
  SUCCESS,
} from './codes.ts';
import { requestProblems } from './schemas.ts';
import { OPERATION_TYPES, type Expectation, type OperationType, type SentBody } from './types.ts';

export interface ModelDevice {
  account: string;
  username: string;
  provisioned: boolean;
  deleted: boolean;
}

export interface ModelState {
  accounts: Map<string, { key: string; users: Set<string> }>;
  devices: Map<string, ModelDevice>;
}

export function emptyState(): ModelState {
  return { accounts: new Map(), devices: new Map() };
}

export function cloneState(state: ModelState): ModelState {
  return {
    accounts: new Map([...state.accounts].map(([k, v]) => [k, { key: v.key, users: new Set(v.users) }])),
    devices: new Map([...state.devices].map(([k, v]) => [k, { ...v }])),
  };
}

export type { SentBody } from './types.ts';

/** The choice point of a `type` spelt in another letter case (`PROVISION_OATH_DEVICE`). */
export const TYPE_CASE_CHOICE = 'SP-CHOICE-TYPE-CASE';

export function operationOf(body: SentBody): OperationType | null {
  if (!('json' in body)) return null;
  const type = (body.json as { type?: unknown } | null)?.type;
  return typeof type === 'string' && (OPERATION_TYPES as readonly string[]).includes(type)
    ? (type as OperationType)
    : null;
}

const MALFORMED = ['SP-FIELDS-MALFORMED', 'SP-WIRE-ANSWER'];

/** The expectation for one request in `state`. */
export function expect(state: ModelState, body: SentBody): Expectation {
  if (!('json' in body)) {
    return { nonZero: true, success: null, why: 'the body is not JSON', requirements: MALFORMED };
  }
  const request = body.json;
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return { nonZero: true, success: null, why: 'the body is not a JSON object', requirements: MALFORMED };
  }
  const fields = request as Record<string, unknown>;
  const type = operationOf(body);
  if (type === null) {
    const unknown: Expectation = {
      nonZero: true,
      success: null,
      why: `type ${JSON.stringify(fields['type'] ?? null)} is not one of ${OPERATION_TYPES.join(', ')}`,
      requirements: MALFORMED,
    };
    // The sources spell the types in lower case and say nothing of others: a server may take a type in
    // another letter case as the operation it spells (recorded as a choice) or refuse it.
    const spelt = fields['type'];
    const meant = typeof spelt === 'string' ? OPERATION_TYPES.find((t) => t === spelt.toLowerCase()) : undefined;
    if (meant === undefined) return unknown;
    const normalised: SentBody = { json: { ...fields, type: meant } };
    return {
      ...unknown,
      alternative: {
        expectation: expect(state, normalised),
        body: normalised,
        choice: { point: TYPE_CASE_CHOICE, option: 'accepted' },
      },
    };
  }
  const { problems, wrongType } = requestProblems(request);
  if (problems.length > 0) {
    return {
      nonZero: true,
      success: null,
      why: `a malformed ${type}: ${problems.join('; ')}`,
      requirements: wrongType ? ['SP-FIELDS-STRING', ...MALFORMED] : MALFORMED,
    };
  }

  const loginName = fields['spAccountLoginName'] as string;
  const account = state.accounts.get(loginName);
  if (account === undefined || account.key !== fields['spAccountLoginKey']) {
    return {
      codes: [PARTNER_LOGIN_FAILED],
      success: null,
      why: account === undefined ? 'no account has this login name' : "the login key is not the account's",
      requirements: ['SP-CRED-9000'],
    };
  }

  // Each rule the request breaks adds the codes it may be answered with (no order between them is known).
  const broken: { codes: number[]; why: string; requirement: string }[] = [];
  const username = fields['username'] as string | undefined;
  const userKnown = username === undefined || account.users.has(username);
  if (!userKnown) {
    broken.push({
      codes: [PARTNER_USER_LOGIN_FAILED],
      why: `${JSON.stringify(username)} is not a user of the account`,
      requirement: 'SP-USER-UNKNOWN',
    });
  }
  if (type !== 'add_oath_device') {
    const deviceId = fields['deviceId'] as string;
    const device = state.devices.get(deviceId);
    if (device === undefined) {
      broken.push({ codes: [DEVICE_NOT_FOUND], why: 'no device has this deviceId', requirement: 'SP-DEVICE-UNKNOWN' });
    } else if (device.deleted) {
      broken.push({ codes: [DEVICE_NOT_FOUND], why: 'the device was deleted', requirement: 'SP-DEVICE-DELETED' });
    } else if (device.account !== loginName) {
      broken.push({
        codes: [DEVICE_NOT_FOUND, DEVICE_ASSIGNED_TO_DIFFERENT_PARTNER, DEVICE_INVALID],
        why: 'the device belongs to another account',
        requirement: 'SP-DEVICE-UNKNOWN',
      });
    } else if (username !== undefined && device.username !== username) {
      broken.push({
        codes: [DEVICE_NOT_FOUND, DEVICE_INVALID],
        why: `the device belongs to another user of the account`,
        requirement: 'SP-DEVICE-UNKNOWN',
      });
    }
  }
  if (!userKnown) {
    // The sources only say an unknown user is an error ("unknown user or device errors"): any non-zero code
    // (9001 PartnerUserLoginFailed is the reference server's choice), whatever else the request breaks.
    return {
      nonZero: true,
      success: null,
      why: broken.map((b) => b.why).join('; '),
      requirements: [...new Set(broken.map((b) => b.requirement))],
    };
  }
  if (broken.length > 0) {
    return {
      codes: [...new Set(broken.flatMap((b) => b.codes))],
      success: null,
      why: broken.map((b) => b.why).join('; '),
      requirements: [...new Set(broken.map((b) => b.requirement))],
    };
  }

  const keyUri = ['SP-KEYURI-FORMAT', 'SP-KEYURI-SECRET', 'SP-KEYURI-ISSUER', 'SP-KEYURI-PARAMS'];
  switch (type) {
    case 'add_oath_device':
      return {
        codes: [SUCCESS],
        success: { kind: 'added' },
        why: 'a user of the account adds a device',
        requirements: ['SP-ADD-DEVICE'],
      };
    case 'provision_oath_device': {
      // Neither source says whether an already provisioned device may be provisioned again (a reinstalled
      // app): a new key, or 9019 DeviceInUse, are both accepted (docs/surepassid.md).
      const again = state.devices.get(fields['deviceId'] as string)?.provisioned === true;
      return {
        codes: again ? [SUCCESS, DEVICE_IN_USE] : [SUCCESS],
        success: { kind: 'key-uri', deviceId: fields['deviceId'] as string },
        why: 'the user provisions their own device',
        requirements: ['SP-PROVISION-OK', ...keyUri],
      };
    }
    case 'get_oath_device_qrcode':
      return {
        codes: [SUCCESS],
        success: { kind: 'key-uri', deviceId: fields['deviceId'] as string },
        why: "the QR code of the user's own device",
        requirements: keyUri,
      };
    case 'find_device': {
      const deviceId = fields['deviceId'] as string;
      const device = state.devices.get(deviceId) as ModelDevice;
      return {
        codes: [SUCCESS],
        success: { kind: 'found', deviceId, username: device.username },
        why: 'a device of the account',
        requirements: ['SP-FIND-DEVICE'],
      };
    }
  }
}

/**
 * The state after a request the server answered with `errorCode` (and `answer`), when that answer was one
 * the expectation accepts. A success the model did not expect changes nothing here: the case has failed.
 */
export function apply(
  state: ModelState,
  body: SentBody,
  expectation: Expectation,
  errorCode: number,
  answer: Record<string, unknown>,
): void {
  if (
    errorCode !== SUCCESS ||
    expectation.nonZero === true ||
    !expectation.codes.includes(SUCCESS) ||
    !('json' in body)
  )
    return;
  const fields = body.json as Record<string, unknown>;
  switch (operationOf(body)) {
    case 'add_oath_device': {
      const id = answer['deviceId'];
      if (typeof id === 'string' && !state.devices.has(id)) {
        state.devices.set(id, {
          account: fields['spAccountLoginName'] as string,
          username: fields['username'] as string,
          provisioned: false,
          deleted: false,
        });
      }
      return;
    }
    case 'provision_oath_device':
    case 'get_oath_device_qrcode': {
      const device = state.devices.get(fields['deviceId'] as string);
      if (device !== undefined) device.provisioned = true;
      return;
    }
    default:
      return;
  }
}

/** Whether an errorCode is one the expectation accepts. */
export function accepts(expectation: Expectation, errorCode: number): boolean {
  return expectation.nonZero === true ? errorCode !== SUCCESS : expectation.codes.includes(errorCode);
}
