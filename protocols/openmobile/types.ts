/**
 * The Open Mobile adapter protocol (../shared/adapter-protocol.md): what the Open Mobile suite
 * (suites/openmobile) and the drivers that reach Open Mobile clients (drivers/emulated, http, browser,
 * appium) both speak. It lives here, beside neither, because drivers never import a suite and the engine
 * (src/) knows no suite's concept: this folder imports src/core only, and only the suite, its drivers and
 * the composition root (src/cli/builtins.ts) import it.
 *
 * These types mirror the adapter protocol field for field, so an in-process driver and an HTTP adapter
 * produce identical observations.
 */
import type { Attachment } from '../../src/core/results.ts';
import type { TargetDriver } from '../../src/core/driver.ts';
import type { BaseTargetInfo } from '../../src/core/types.ts';

export type Platform = 'ios' | 'android';
export type Method = 'url' | 'intent';
export type Mode = 'production' | 'test';
export type Capability = 'state' | 'logs' | 'network' | 'concurrency';

export const PLATFORMS: readonly Platform[] = ['ios', 'android'];
export const METHODS: readonly Method[] = ['url', 'intent'];
export const CAPABILITIES: readonly Capability[] = ['state', 'logs', 'network', 'concurrency'];

/** `GET /v1/info`: an Open Mobile client. */
export interface TargetInfo extends BaseTargetInfo {
  name: string;
  version: string;
  platform: Platform;
  methods: Method[];
  capabilities: Capability[];
}

/** A route is how one request reaches a client: the platform and the delivery method. */
export interface Route {
  platform: Platform;
  method: Method;
}

export interface Settings {
  username: string | null;
  password: string | null;
  domain: string | null;
  prefix: string | null;
  /** Auto-login (auto-connect on Android); null where it was never configured. */
  autologin: boolean | null;
}

/** `GET /v1/state`: the saved configuration, as the settings screen shows it. */
export interface ClientState {
  activated: boolean;
  profile: { id: number; mode: Mode } | null;
  settings: Settings;
}

/** `POST /v1/provision` request body. */
export interface ProvisionRequest {
  url: string;
  method: Method;
  /**
   * Not part of the adapter protocol: a step that only sets the starting state up. A delivery driver (a
   * browser) hands it to the client directly; only the request under test takes the long way.
   */
  setup?: boolean;
}

/** `POST /v1/provision` response body. */
export interface ProvisionObservation {
  handled: boolean;
  /** The integer on the platform's result channel, or null where it delivered nothing. */
  result: number | null;
  /** iOS only: the exact URL the client opened to report status. */
  callbackUrl: string | null;
  dialog: 'success' | 'failure' | null;
  foreground: boolean;
  notification: string | null;
  /**
   * Not part of the adapter protocol: set by a delivery driver that stands between the link's author and
   * the client (a browser), with the link as written and the URL the client actually received.
   */
  delivered?: { link: string; url: string };
}

/** What a client that did not handle a URL shows: nothing on any channel (adapter protocol). */
export const NOT_HANDLED: ProvisionObservation = Object.freeze({
  handled: false,
  result: null,
  callbackUrl: null,
  dialog: null,
  foreground: false,
  notification: null,
});

/** A profile as the profile service returns it (adapter protocol section 2). */
export interface Profile {
  id: number;
  company: string;
  platform: Platform;
  mode: Mode;
  domains: { options: string[]; editable: boolean };
  prefixes: { options: string[]; editable: boolean } | null;
  savePassword: boolean;
  autologin: { userControl: boolean; default: boolean };
}

/** A catalog entry: the profile plus what only the portal knows. */
export interface CatalogProfile extends Profile {
  pin: string | null;
  favorite: boolean;
  /** Free text for people reading the catalog; ignored by every lookup. */
  note?: string;
}

export interface Catalog {
  profiles: CatalogProfile[];
}

/**
 * A fault the harness's profile service injects into the next request(s) of one session.
 * - `status`: answer with this HTTP status (5xx is a transient service error, result 31).
 * - `cut`: send the status line, headers and part of the body, then destroy the connection (30).
 * - `latency`: answer normally after `ms` milliseconds (needed to overlap two requests, result 1).
 * - `offline`: the service is unreachable: the connection is dropped before any byte is answered.
 */
export type ProfileServiceFault =
  { kind: 'status'; status: number } | { kind: 'cut' } | { kind: 'latency'; ms: number } | { kind: 'offline' };

/** The most recent requests a profile-service scope keeps for `requests()`. */
export const SCOPE_HITS_KEPT = 1_000;

/** One session's view of the harness's profile service. */
export interface ProfileServiceScope {
  /** Base URL to hand to the client in `reset` (ends with `/`). */
  readonly url: string;
  /** Faults apply to every later request of this scope until cleared. */
  setFault(fault: ProfileServiceFault | null): void;
  /**
   * Requests this scope received since it was opened (for the report): the most recent
   * {@link SCOPE_HITS_KEPT}, so a scope that lives for a whole fuzz run stays small.
   */
  requests(): ProfileServiceHit[];
  /** How many requests this scope received since it was opened (all of them; cheap to poll). */
  requestCount(): number;
  /**
   * Holds the answers to the next `count` requests of this scope (they are still logged as they arrive)
   * until the returned function is called; later requests are answered as usual. The first provisioning
   * operation is then provably in progress for as long as the harness needs, e.g. while a second request
   * travels through a slow delivery path (result 1), whatever the timing, and a client that wrongly runs
   * the second one too still gets its answer.
   */
  hold(count?: number): () => void;
  /** Serves this catalog to this scope only (a generated one, say); null: the service's own catalog again. */
  setCatalog(catalog: Catalog | null): void;
  close(): void;
}

export interface ProfileServiceHit {
  path: string;
  query: Record<string, string>;
  status: number | 'cut' | 'offline';
}

/** A driver of an Open Mobile client ({@link ClientSession}: one client instance, one device). */
export type ClientDriver = TargetDriver<ClientSession, TargetInfo>;

export interface ClientSession {
  /** Back to a freshly installed app that fetches profiles from `profileServiceUrl`. */
  reset(profileServiceUrl: string, signal: AbortSignal): Promise<void>;
  provision(request: ProvisionRequest, signal: AbortSignal): Promise<ProvisionObservation>;
  /** Needs the `state` capability. */
  state(signal: AbortSignal): Promise<ClientState>;
  /** Needs the `logs` capability. */
  logs(signal: AbortSignal): Promise<string[]>;
  /** Needs the `network` capability. */
  network(online: boolean, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional: what the device shows now (page source, a screenshot), attached to a case that failed or
   * broke. Not part of the adapter protocol; a driver of a real device offers it.
   */
  artifacts?(signal: AbortSignal): Promise<Attachment[]>;
}

/** Starts the harness's profile service serving `catalog` (drivers/emulated/profile-service.ts). */
export type StartProfileService = (catalog: Catalog) => Promise<ProfileService>;

/** The harness's profile service, started once per run and scoped per session. */
export interface ProfileService {
  readonly baseUrl: string;
  /** A fresh scope with its own fault settings and request log. */
  scope(): ProfileServiceScope;
  setCatalog(catalog: Catalog): void;
  close(): Promise<void>;
}
