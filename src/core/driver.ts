import type { Attachment } from './results.ts';
import type {
  BaseTargetInfo,
  Catalog,
  ClientState,
  ProfileServiceScope,
  ProvisionObservation,
  ProvisionRequest,
  TargetInfo,
} from './types.ts';

/**
 * A driver reaches one kind of target. It has a once-per-run half (start a server, check the adapter
 * answers) and a per-session half (`S`: one client instance, one device, one connection to a server).
 * Every method may throw; the runner turns a throw into a *broken* case, never a crashed run. What a
 * session offers is the business of the suite the target belongs to.
 */
export interface TargetDriver<S = unknown, I extends BaseTargetInfo = BaseTargetInfo> {
  /** What the target is and can do. Called once, after `start`. */
  info(): Promise<I>;
  /** How many sessions may run at once (1 for a single adapter or device). */
  readonly maxSessions: number;
  openSession(): Promise<S>;
  /**
   * Optional health check: resolves when the target still answers at all (an adapter's `GET /v1/info`, a
   * server's info hook), rejects with a message naming the endpoint that did not answer. The runner calls it
   * after a case got no answer, to tell a dead target (stop it) from one slow case (go on).
   */
  probe?(signal: AbortSignal): Promise<void>;
  /** Releases everything the driver started. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Optional on any driver's session: the request the target gave *no answer* to (nothing before its deadline,
 * a connection refused or reset before any answer), when the last request of the case the session just
 * served went unanswered; null otherwise. A server suite judges a hang itself (a finding, not a throw), so
 * the verdict alone does not show it. The runner asks after every case, for its circuit breaker; the call
 * clears what it returns.
 */
export interface SilenceReporting {
  takeSilence(): string | null;
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

/** What a driver factory gets: the target's options from the config plus run-wide facts. */
export interface DriverContext {
  /** Directory of the config file; relative paths in options resolve against it. */
  rootDir: string;
  /** The shared obfuscation key (64 hex characters), for drivers that host a client themselves. */
  obfuscationKey: string | null;
  /** Opens another driver by name: a delivery driver (a browser) wraps the target it delivers to. */
  createDriver?(driver: string, options: Record<string, unknown>): Promise<ClientDriver>;
  /** The `browser` section of the config, for the browser delivery driver. */
  browser?: BrowserSettings;
}

/** How provisioning links are delivered through a real browser (`--target browser+<target>`). */
export interface BrowserSettings {
  /** The Chromium to drive. Default: Debian's `/usr/bin/chromium`. */
  executablePath: string;
  /** Device emulation (a Playwright device name), or `auto`: a Pixel for Android, an iPhone for iOS. */
  device: string;
  /** The page the link is on: an MDM-style HTML page (`mdm`), or a plain email-style message (`email`). */
  page: 'mdm' | 'email';
  /** `navigation`: a real click, the URL the browser navigates to; `script`: the link's href as the page parsed it. */
  capture: 'navigation' | 'script';
  headless: boolean;
}

export type DriverFactory<D extends TargetDriver<unknown, BaseTargetInfo> = TargetDriver<unknown, BaseTargetInfo>> = (
  options: Record<string, unknown>,
  context: DriverContext,
) => Promise<D>;

/** The harness's profile service, started once per run and scoped per session. */
export interface ProfileService {
  readonly baseUrl: string;
  /** A fresh scope with its own fault settings and request log. */
  scope(): ProfileServiceScope;
  setCatalog(catalog: Catalog): void;
  close(): Promise<void>;
}
