import type { BaseTargetInfo } from './types.ts';

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
  /**
   * True when the same case always gives the same result on this target (an emulated client in this
   * process): a retry there can only hide a defect, and the run says so when `retries` is set.
   */
  readonly deterministic?: boolean;
  openSession(): Promise<S>;
  /**
   * Optional health check: resolves when the target still answers at all (an adapter's `GET /v1/info`, a
   * server's info hook), rejects with a message naming the endpoint that did not answer. The runner calls it
   * after a case got no answer, to tell a dead target (stop it) from one slow case (go on).
   */
  probe?(signal: AbortSignal): Promise<void>;
  /**
   * Optional: what the target is, read from the target itself for a certification bundle (a phone's model,
   * OS version, app version and build, as the device reports them). Absent: `info()` is the target's own
   * answer (an adapter's `GET /v1/info`, a server's version banner). Rejects with the reason when the target
   * does not tell.
   */
  identity?(): Promise<Record<string, unknown>>;
  /** Releases everything the driver started. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Thrown by a session (or by `openSession`) when the device under it is gone: unplugged, offline, released
 * by a device farm, so that not even a new session can be opened on it. Not the case's fault: the runner
 * gives the device no more cases and runs the case again, from a reset, on another device of the target
 * (a target left without devices ends its run there, every case it did not run counted as not run).
 */
export class DeviceLost extends Error {
  override readonly name = 'DeviceLost';
  constructor(
    /** The device, as the target's configuration names it (a udid). */
    readonly device: string,
    message: string,
  ) {
    super(message);
  }
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

/** What a driver factory gets: the target's options from the config plus run-wide facts. */
export interface DriverContext {
  /** Directory of the config file; relative paths in options resolve against it. */
  rootDir: string;
  /** The shared obfuscation key (64 hex characters), for drivers that host a client themselves. */
  obfuscationKey: string | null;
  /** Opens another driver by name: a delivery driver (a browser) wraps the target it delivers to. */
  createDriver?(driver: string, options: Record<string, unknown>): Promise<TargetDriver>;
  /**
   * The config's run-wide sections that configure a driver rather than one target, by section name, as the
   * config resolved them (`browser`: the browser delivery driver's). The engine passes them on unread; the
   * driver they belong to types them (the config's own types name their shape).
   */
  sections?: Readonly<Record<string, unknown>>;
}

export type DriverFactory<D extends TargetDriver<unknown, BaseTargetInfo> = TargetDriver<unknown, BaseTargetInfo>> = (
  options: Record<string, unknown>,
  context: DriverContext,
) => Promise<D>;
