/**
 * The Swivel suite's contract: the session its driver opens (structurally, drivers never import suites),
 * the vector format (vectors/swivel/*.json, schema vectors/schema/swivel-vectors.schema.json) and the model's
 * predictions.
 */

// ---------------------------------------------------------------------------------------------------------
// The session (implemented by drivers/http/swivel.ts)

import type { WireExchange, WireRequest, WireResponse } from '../../src/core/types.ts';
export type { WireExchange, WireRequest, WireResponse };

export interface SwivelSession {
  /** How many instances the target has (2 or more: a cluster). */
  readonly instances: number;
  /** Empty server on every instance: no users, devices or codes; default policy; real time. */
  reset(signal: AbortSignal): Promise<void>;
  agentXml(
    body: string,
    options: { signal: AbortSignal; instance?: number; contentType?: string },
  ): Promise<WireExchange>;
  hook(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body: unknown,
    options: { signal: AbortSignal; instance?: number },
  ): Promise<WireExchange>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------
// Requirements

export interface Requirement {
  id: string;
  title: string;
  severity: 'MUST' | 'SHOULD';
  /** Verbatim from the seed (or from issue 4 where the seed is silent: see `source`). */
  quote: string;
  source: string;
}

// ---------------------------------------------------------------------------------------------------------
// Vectors

export const AREAS = [
  'devices',
  'code-use',
  'expiry',
  'errors',
  'wire-format',
  'policy',
  'self-provisioning',
  'cluster',
  'stateful-pairs',
  'regressions',
] as const;
export type Area = (typeof AREAS)[number];

export const AGENT_ERRORS = [
  'AGENT_ERROR_MALFORMED_XML',
  'AGENT_ERROR_BAD_REQUEST',
  'AGENT_ERROR_MISSING_ELEMENT',
  'AGENT_ERROR_UNKNOWN_ACTION',
  'AGENT_ERROR_NO_USER_FOUND',
  'AGENT_ERROR_INVALID_PROVISION_CODE',
  'AGENT_ERROR_NOT_PROVISIONED',
] as const;
export type AgentError = (typeof AGENT_ERRORS)[number];

/** A value the server generates, by the name the vector gave it (`{"ref": "c1"}`), or a literal. */
export type ValueRef = string | { ref: string };

export type AgentExpect = { result: 'PASS' } | { result: 'FAIL'; error: AgentError | AgentError[] };

export interface PolicyValues {
  validitySeconds: number;
  selfProvisioning: boolean;
  logDeviceInformation: boolean;
}

export type Step =
  | { do: 'create-user'; username: string }
  | {
      do: 'issue-code';
      username: string;
      /** Name to refer to the code by (`{"ref": name}`, `{{name}}` in raw bodies). */
      as?: string;
      instance?: number;
      expect?: 'issued' | 'unknown-user';
    }
  | {
      do: 'self-provision';
      username: string;
      as?: string;
      instance?: number;
      expect: 'issued' | 'refused' | 'unknown-user';
    }
  | { do: 'set-policy'; policy: Record<string, unknown>; expect: 'accepted' | 'rejected' }
  | { do: 'check-policy'; expect: PolicyValues }
  | { do: 'advance-clock'; seconds: number }
  | { do: 'wait'; seconds: number }
  | {
      do: 'provision';
      /** Omitted: the request has no <Username> element. */
      username?: string;
      /** Omitted: no <ProvisionCode> element. */
      code?: ValueRef;
      /** null: no <Version> element. Default "3.6". */
      version?: string | null;
      requestId?: string;
      instance?: number;
      /** Name for the device id a PASS returns. */
      as?: string;
      expect: AgentExpect;
    }
  | {
      do: 'security-strings';
      /** Omitted: no <Id> element. */
      device?: ValueRef;
      requestId?: string;
      instance?: number;
      expect: AgentExpect;
    }
  | {
      do: 'send';
      /** The body as sent; `{{name}}` is replaced by the named code or device id. */
      body: string;
      contentType?: string;
      instance?: number;
      expect: AgentExpect;
    };

export type StepKind = Step['do'];

/** Conditions on the target: true = needs the capability, false = needs it absent. */
export interface Requires {
  clock?: boolean;
  cluster?: boolean;
  sessionSharing?: boolean;
}

export interface Vector {
  id: string;
  title: string;
  area: Area;
  requirements: string[];
  /** Takes real time (a wait); the report marks it. */
  realTime?: boolean;
  requires?: Requires;
  steps: Step[];
  /** File the vector came from (set by the loader). */
  source?: string;
  /** The line the vector starts on in `source` (set by the loader). */
  line?: number;
}

// ---------------------------------------------------------------------------------------------------------
// Model

/** What the model knows of the target's configuration. */
export interface World {
  instances: number;
  sessionSharing: boolean;
}

export interface IssuedCode {
  /** The token standing for the code (`{{c1}}`): the runner swaps it for the real value. */
  token: string;
  issuedAt: number;
  validitySeconds: number;
}

export interface ModelState {
  /** Seconds since the reset (advanced by clock steps and waits). */
  clock: number;
  policy: PolicyValues;
  /** username -> the token of its current device, or null. */
  users: Record<string, { device: string | null }>;
  /** code store (0 when codes are shared, else the instance) -> username -> code. */
  codes: Record<number, Record<string, IssuedCode>>;
  /** Counter for device tokens the vector did not name. */
  fresh: number;
}

/** The model's prediction for one AgentXML request. */
export interface AgentPrediction {
  result: 'PASS' | 'FAIL';
  /** Acceptable error names (several when the request breaks several structural rules at once). */
  errors: AgentError[];
  /** The RequestID the answer must echo; null when the request has no single one to echo. */
  requestId: string | null;
  /** provision PASS: an `<Id>` is returned. */
  returnsId: boolean;
  /** SecurityStrings PASS: `<SecurityStrings>` with at least one `<String>`. */
  returnsStrings: boolean;
  /** In words: which rule decided. */
  why: string;
}
