/**
 * The SurePassID suite's contract: what a session on a target offers (implemented by drivers/http/surepassid.ts,
 * matched structurally: a suite never imports a driver), the vector format (vectors/surepassid/*.json) and
 * the model's expectation for one request.
 */

// ---------------------------------------------------------------------------------------------------------
// The session

/** One request to the OATH endpoint and what came back, as on the wire. */
export interface OathExchange {
  request: { method: 'GET' | 'POST'; url: string; contentType: string; body: string };
  /** Null when no complete answer arrived (see `failure`). */
  response: { status: number; contentType: string | null; body: string } | null;
  /** `timeout`: no complete answer in time (a hang); `connection`: the connection broke mid-answer. */
  failure: { kind: 'timeout' | 'connection'; message: string } | null;
  ms: number;
}

/** A session on one SurePassID target (the suite's `S`). */
export interface SurePassIdSession {
  readonly endpoint: string;
  /** Posts `body` as written to the OATH endpoint; throws only when the target cannot be reached at all. */
  send(body: string, signal: AbortSignal, contentType?: string): Promise<OathExchange>;
  /** Test hooks (capability `test-hooks`); each throws when the hook fails. */
  readonly hooks: {
    reset(signal: AbortSignal): Promise<void>;
    /** `exists`: the login name is taken (409; a server that keeps accounts between runs). */
    createAccount(
      account: { loginName: string; loginKey: string; issuer?: string },
      signal: AbortSignal,
    ): Promise<'created' | 'exists'>;
    createUser(user: { account: string; username: string }, signal: AbortSignal): Promise<void>;
    deleteDevice(device: { account: string; deviceId: string }, signal: AbortSignal): Promise<void>;
  };
  close(): Promise<void>;
}

/** The capability a target needs for cases that set accounts, users or deletions up. */
export const TEST_HOOKS = 'test-hooks';

// ---------------------------------------------------------------------------------------------------------
// Vectors

export const OPERATION_TYPES = [
  'provision_oath_device',
  'get_oath_device_qrcode',
  'add_oath_device',
  'find_device',
] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

export const AREAS = ['provisioning', 'qr-code', 'credentials', 'lookup', 'robustness', 'regressions'] as const;
export type Area = (typeof AREAS)[number];

/**
 * Fixtures a vector starts from. Names are the vector's own: the runner makes them unique per case (so cases
 * can run side by side on one server) and substitutes them in request templates.
 */
export interface Given {
  accounts?: { name: string; key: string; issuer?: string }[];
  users?: { account: string; username: string }[];
  /**
   * Devices made through the API (`add_oath_device`; device ids are assigned by the server), optionally
   * provisioned (`provision_oath_device` with `physicalDeviceId`) and deleted (test hook) afterwards.
   */
  devices?: { ref: string; account: string; username: string; provision?: string; deleted?: boolean }[];
}

/**
 * A request body template: any JSON. In strings, `{{account:<name>}}` is the account's login name,
 * `{{key:<name>}}` its login key, `{{device:<ref>}}` the device id the server assigned.
 */
export type Template = unknown;

export interface Step {
  /** The JSON body; or `raw`, sent as written (not JSON, say). Exactly one of the two. */
  body?: Template;
  raw?: string;
  contentType?: string;
  /** What the vector's author expects; the loader checks the model agrees. */
  expect?: { errorCode?: number | number[]; nonZero?: true };
}

export interface Vector {
  id: string;
  title: string;
  area: Area;
  requirements: string[];
  given?: Given;
  steps: Step[];
  /** Set by the loader: `vectors/surepassid/<file>.json`. */
  source?: string;
  /** The line the vector starts on in `source` (set by the loader). */
  line?: number;
}

// ---------------------------------------------------------------------------------------------------------
// The model

/** What the model says one request must get. */
export type Expectation = (
  | {
      /** The accepted errorCodes (0 included when success is allowed). */
      codes: number[];
      /** Any non-zero errorCode is accepted (malformed requests: the specification names no code). */
      nonZero?: false;
      /** Checks that apply when the answer is a success. */
      success: SuccessCheck | null;
      why: string;
      requirements: string[];
    }
  | { nonZero: true; codes?: undefined; success: null; why: string; requirements: string[] }
) & {
  /**
   * Another answer the sources permit, where they are silent (a `type` in another letter case may be read
   * as the operation it spells): judged when the expectation itself is not met, and recorded as a choice.
   */
  alternative?: { expectation: Expectation; body: SentBody; choice: { point: string; option: string } };
};

/** A request as sent: parsed JSON, or text that is not JSON. */
export type SentBody = { json: unknown } | { raw: string };

export type SuccessCheck =
  | { kind: 'added' }
  /** A valid Key URI; `deviceId`: the device it provisions (its key must be no other device's). */
  | { kind: 'key-uri'; deviceId?: string }
  | { kind: 'found'; deviceId: string; username: string };

export interface Requirement {
  id: string;
  title: string;
  severity: 'MUST' | 'SHOULD';
  /** Verbatim from `source`. */
  quote: string;
  /** Where the quote comes from: the seed (003) or issue 4. */
  source: string;
}
