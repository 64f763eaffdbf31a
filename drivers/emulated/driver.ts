/**
 * The `emulated` driver: in-process Open Mobile clients (iOS or Android), one per session, each fetching
 * profiles over real HTTP from the URL handed to `reset`.
 */
import type { DriverContext } from '../../src/core/driver.ts';
import type { ClientDriver, ClientSession } from '../../protocols/openmobile/types.ts';
import { didYouMean, HarnessError } from '../../src/core/errors.ts';
import type {
  ClientState,
  Method,
  Platform,
  ProvisionObservation,
  TargetInfo,
} from '../../protocols/openmobile/types.ts';
import { AndroidClient } from './client/android.ts';
import { IosClient } from './client/ios.ts';
import { CONFIGURABLE_CHOICES, type OpenMobileClient } from './client/open-mobile-client.ts';
import { isObfuscationKey } from './client/obfuscation.ts';
import { defectsFor, isDefectId } from './defects.ts';
import type { DefectId } from './defects.ts';
import { driverOptionsError, unknownOptions, type OptionProblem } from '../options.ts';

export interface EmulatedDriverOptions {
  platform: Platform;
  /** Seeded defect ids (defects.ts) to switch on. */
  defects?: string[];
  /**
   * Implementation-defined choices made otherwise than the platform's emulated client does, to emulate
   * another vendor (e.g. `{ 'OM-CHOICE-PLUS': 'literal' }`); the ids and options of CONFIGURABLE_CHOICES.
   */
  choices?: Record<string, string>;
  name?: string;
  version?: string;
}

const DEFAULT_VERSION = '3.2.0-emulated';
const MAX_SESSIONS = 64;

const KNOWN_OPTIONS = ['platform', 'defects', 'choices', 'name', 'version'];

/** Every problem with the options at once (the config resolver runs it before any driver starts). */
export function checkEmulatedDriverOptions(options: Record<string, unknown>): OptionProblem[] {
  return readOptions(options).problems;
}

function readOptions(options: Record<string, unknown>): {
  problems: OptionProblem[];
  platform: Platform;
  defects: DefectId[];
  name: string;
  version: string;
  choices: Record<string, string>;
} {
  const problems: OptionProblem[] = unknownOptions(options, KNOWN_OPTIONS);
  const invalid = (path: string, message: string) => void problems.push({ path, message });
  const rawPlatform = options['platform'];
  if (rawPlatform !== 'ios' && rawPlatform !== 'android') {
    invalid(
      'platform',
      `must be "ios" or "android", got ${rawPlatform === undefined ? 'nothing' : JSON.stringify(rawPlatform)}`,
    );
  }
  const platform: Platform = rawPlatform === 'ios' ? 'ios' : 'android';
  const platformKnown = rawPlatform === 'ios' || rawPlatform === 'android';
  const valid = defectsFor(platform).map((d) => d.id);
  const rawDefects = options['defects'] ?? [];
  const defects: DefectId[] = [];
  if (!Array.isArray(rawDefects)) {
    invalid('defects', `must be an array of defect ids, got ${JSON.stringify(rawDefects)}`);
  } else if (platformKnown) {
    rawDefects.forEach((id: unknown, i) => {
      if (typeof id !== 'string' || !isDefectId(id) || !valid.includes(id)) {
        const why =
          typeof id === 'string' && isDefectId(id)
            ? `does not exist on ${platform}`
            : `is not a known defect: ${typeof id === 'string' ? didYouMean(id, valid) : ''}`;
        invalid(`defects[${i}]`, `${JSON.stringify(id)} ${why}; valid ids for ${platform}: ${valid.join(', ')}`);
      } else defects.push(id);
    });
  }
  const name = options['name'] ?? `emulated-${platform}`;
  if (typeof name !== 'string' || name === '')
    invalid('name', `must be a non-empty string, got ${JSON.stringify(name)}`);
  const version = options['version'] ?? DEFAULT_VERSION;
  if (typeof version !== 'string' || version === '') {
    invalid('version', `must be a non-empty string, got ${JSON.stringify(version)}`);
  }
  const rawChoices = options['choices'] ?? {};
  const choices: Record<string, string> = {};
  if (rawChoices === null || typeof rawChoices !== 'object' || Array.isArray(rawChoices)) {
    invalid('choices', `must be an object of choice point id -> option, got ${JSON.stringify(rawChoices)}`);
  } else {
    const ids = Object.keys(CONFIGURABLE_CHOICES);
    for (const [id, option] of Object.entries(rawChoices as Record<string, unknown>)) {
      const known = CONFIGURABLE_CHOICES[id];
      if (known === undefined) {
        invalid(
          `choices.${id}`,
          `is not a choice point the emulated client can change: ${didYouMean(id, ids)}use one of ${ids.join(', ')}`,
        );
      } else if (typeof option !== 'string' || !known.options.includes(option)) {
        invalid(
          `choices.${id}`,
          `must be one of ${known.options.map((o) => `"${o}"`).join(', ')}, got ${JSON.stringify(option)}`,
        );
      } else if (known.platforms !== undefined && platformKnown && !known.platforms.includes(platform)) {
        invalid(`choices.${id}`, `exists only on ${known.platforms.join(', ')}, not on ${platform}: remove it`);
      } else choices[id] = option;
    }
  }
  return {
    problems,
    platform,
    defects,
    name: typeof name === 'string' ? name : '',
    version: typeof version === 'string' ? version : '',
    choices,
  };
}

export async function createEmulatedDriver(
  options: Record<string, unknown>,
  context: DriverContext,
): Promise<ClientDriver> {
  const { problems, platform, defects, name, version, choices } = readOptions(options);
  if (problems.length > 0) throw driverOptionsError('emulated', problems);
  const key = context.obfuscationKey;
  if (key !== null && !isObfuscationKey(key)) {
    // The resolver checks the key of a config file or HARNESS_OBFUSCATION_KEY first; this is for callers
    // that build a context themselves.
    throw new HarnessError('HARNESS_CONFIG_INVALID', 'obfuscation key must be 64 hex characters (an AES-256 key)', [
      { file: 'driver context', path: 'obfuscationKey', message: 'must be 64 hex characters (an AES-256 key)' },
    ]);
  }
  const defectSet: ReadonlySet<DefectId> = new Set(defects);
  const methods: Method[] = platform === 'ios' ? ['url'] : ['url', 'intent'];
  const sessions = new Set<EmulatedSession>();
  let stopped = false;

  const newClient = (profileServiceUrl: string): OpenMobileClient => {
    const clientOptions = { profileServiceUrl, obfuscationKey: key, defects: defectSet, choices };
    return platform === 'ios' ? new IosClient(clientOptions) : new AndroidClient(clientOptions);
  };

  return {
    maxSessions: MAX_SESSIONS,
    // In this process, with no clock, network or device between harness and client: a case that failed once
    // fails again.
    deterministic: true,
    async info(): Promise<TargetInfo> {
      return {
        name,
        version,
        platform,
        methods: [...methods],
        capabilities: ['state', 'logs', 'network', 'concurrency'],
      };
    },
    async openSession(): Promise<ClientSession> {
      if (stopped) throw new Error(`emulated driver ${name}: openSession() after stop()`);
      const session = new EmulatedSession(name, newClient, (s) => sessions.delete(s));
      sessions.add(session);
      return session;
    },
    async stop(): Promise<void> {
      stopped = true;
      for (const session of [...sessions]) await session.close();
    },
  };
}

class EmulatedSession implements ClientSession {
  private client: OpenMobileClient | null = null;
  private closed = false;

  constructor(
    private readonly driverName: string,
    private readonly newClient: (profileServiceUrl: string) => OpenMobileClient,
    private readonly onClose: (session: EmulatedSession) => void,
  ) {}

  private current(): OpenMobileClient {
    if (this.closed) throw new Error(`emulated driver ${this.driverName}: session used after close()`);
    if (this.client === null)
      throw new Error(`emulated driver ${this.driverName}: reset() must come before any other call`);
    return this.client;
  }

  async reset(profileServiceUrl: string, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.closed) throw new Error(`emulated driver ${this.driverName}: reset() after close()`);
    if (!/^https?:\/\//.test(profileServiceUrl)) {
      throw new Error(
        `emulated driver ${this.driverName}: reset() needs an http(s) profile service URL, got ${JSON.stringify(profileServiceUrl)}`,
      );
    }
    // A fresh app: no profile, no settings, online, empty logs (a new client with the same defects).
    this.client = this.newClient(profileServiceUrl);
  }

  async provision(request: { url: string; method: Method }, signal: AbortSignal): Promise<ProvisionObservation> {
    signal.throwIfAborted();
    if (request.method !== 'url' && request.method !== 'intent') {
      throw new Error(
        `emulated driver ${this.driverName}: method must be "url" or "intent", got ${JSON.stringify(request.method)}`,
      );
    }
    return this.current().provision(request.url, request.method, signal);
  }

  async state(signal: AbortSignal): Promise<ClientState> {
    signal.throwIfAborted();
    const client = this.current();
    return {
      activated: client.profile !== null,
      profile: client.profile === null ? null : { id: client.profile.id, mode: client.profile.mode },
      settings: { ...client.settings },
    };
  }

  async logs(signal: AbortSignal): Promise<string[]> {
    signal.throwIfAborted();
    return [...this.current().logs];
  }

  async network(online: boolean, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    this.current().online = online;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client = null;
    this.onClose(this);
  }
}
