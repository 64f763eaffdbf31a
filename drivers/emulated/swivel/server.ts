/**
 * The Swivel reference server: a real HTTP server on loopback speaking AgentXML (`POST /AgentXML`) like a
 * Swivel core, plus the JSON test-hook API of docs/swivel.md (`/harness/v1/...`) that real servers' test
 * deployments mirror. With `instances: 2` it is a cluster: users, devices and policy live in the
 * shared user database (each instance keeps its own clock), provision codes live in each instance's memory unless session sharing is on
 * (seed: "otherwise the provision code is stored in memory and only valid on the Swivel instance that it
 * is generated").
 *
 * Written independently of suites/swivel (an eslint rule forbids the import): this is the thing judged,
 * the suite's model is the judge.
 */
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { isSwivelDefectId, type SwivelDefectId } from './defects.ts';
import { escapeText, NotWellFormed, readXml, type Element } from './xml.ts';
import { isRecord } from '../../../src/core/json.ts';

export interface SwivelReferenceOptions {
  /** How many instances (HTTP servers) form the cluster. Default 1. */
  instances?: number;
  /** Provision codes valid on every instance (session sharing). Default false. */
  sessionSharing?: boolean;
  /** Seeded defects to switch on (drivers/emulated/swivel/defects.ts). */
  defects?: readonly string[];
  /** Offer the controllable clock hooks (capability `clock`). Default true. */
  clock?: boolean;
  /** Other behaviours the sources permit (SWIVEL_VARIANTS), for tests: the suite must not fail them. */
  variants?: readonly SwivelVariant[];
  host?: string;
}

/**
 * Behaviours other than the reference's where the sources permit several (tests only; not defects):
 * - `verbose-answers`: answers pretty-printed (white space around every value), with elements the
 *   protocol does not define, the defined ones in another order, and `Content-Type: text/plain`.
 * - `logs-devices-by-default`: device logging is on by default (the source's "Default No" is a SHOULD).
 */
export const SWIVEL_VARIANTS = ['verbose-answers', 'logs-devices-by-default'] as const;
export type SwivelVariant = (typeof SWIVEL_VARIANTS)[number];

export interface SwivelReference {
  /** Base URL of each instance, without a trailing slash. */
  readonly urls: readonly string[];
  close(): Promise<void>;
}

export const REFERENCE_NAME = 'swivel-reference';
export const REFERENCE_VERSION = '3.10.4-reference';
const PROTOCOL_VERSION = '3.6';
const MAX_BODY_BYTES = 64 * 1024;
const HOOKS = '/harness/v1';

interface Policy {
  validitySeconds: number;
  selfProvisioning: boolean;
  logDeviceInformation: boolean;
}

interface Device {
  id: string;
  strings: string[];
}

interface User {
  destination: string;
  device: Device | null;
}

interface IssuedCode {
  code: string;
  issuedAtMs: number;
  validitySeconds: number;
}

/** The user database every instance shares. */
class Database {
  users = new Map<string, User>();
  /** device id -> username, for every device that may download security strings. */
  devices = new Map<string, string>();
  policy: Policy;
  /** The one code store when codes are shared (session sharing, or the defect that shares them anyway). */
  readonly sharedCodes = new Map<string, IssuedCode>();

  constructor(
    private readonly defects: ReadonlySet<SwivelDefectId>,
    readonly variants: ReadonlySet<SwivelVariant> = new Set(),
  ) {
    this.policy = this.defaultPolicy();
  }

  defaultPolicy(): Policy {
    return {
      validitySeconds: 600,
      selfProvisioning: this.defects.has('self-provisioning-default-on'),
      logDeviceInformation: this.variants.has('logs-devices-by-default'),
    };
  }

  reset(): void {
    this.users.clear();
    this.devices.clear();
    this.sharedCodes.clear();
    this.policy = this.defaultPolicy();
  }
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function json(status: number, value: unknown): Answer {
  return { status, contentType: 'application/json', body: value === undefined ? '' : JSON.stringify(value) };
}

const ELEMENTS = ['Version', 'Action', 'Username', 'ProvisionCode', 'Id', 'RequestID'] as const;
type ElementName = (typeof ELEMENTS)[number];

class AgentFailure extends Error {
  constructor(readonly error: string) {
    super(error);
  }
}

class Instance {
  readonly localCodes = new Map<string, IssuedCode>();
  /** Each instance has its own clock, as each server of a real cluster does; the hooks move each one. */
  clockOffsetMs = 0;

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  constructor(
    readonly index: number,
    readonly count: number,
    private readonly db: Database,
    private readonly defects: ReadonlySet<SwivelDefectId>,
    private readonly sharing: boolean,
    private readonly clock: boolean,
  ) {}

  private get codes(): Map<string, IssuedCode> {
    return this.sharing || this.defects.has('codes-shared-without-session-sharing')
      ? this.db.sharedCodes
      : this.localCodes;
  }

  // -------------------------------------------------------------------------------------------------------
  // AgentXML

  agent(body: string): Answer {
    let root: Element;
    try {
      root = readXml(body);
    } catch (error) {
      if (!(error instanceof NotWellFormed)) throw error;
      if (this.defects.has('malformed-xml-500')) {
        return {
          status: 500,
          contentType: 'text/plain',
          body: `java.lang.NullPointerException\n\tat ${error.stack ?? ''}`,
        };
      }
      return this.sasResponse('', { error: 'AGENT_ERROR_MALFORMED_XML' });
    }
    const fields = new Map<ElementName, string>();
    let requestId = '';
    let structural: string | null = root.name === 'SASRequest' ? null : 'AGENT_ERROR_BAD_REQUEST';
    if (structural === null) {
      const seen = new Set<string>();
      for (const child of root.elements) {
        const known = (ELEMENTS as readonly string[]).includes(child.name);
        if (!known) continue; // unknown elements are ignored, as a newer client may send more
        if (seen.has(child.name) || child.elements.length > 0) structural = 'AGENT_ERROR_BAD_REQUEST';
        seen.add(child.name);
        fields.set(child.name as ElementName, child.text);
      }
      // Echo the request's ID whenever it is unambiguous, even in a FAIL.
      const ids = root.elements.filter((e) => e.name === 'RequestID');
      if (ids.length === 1 && ids[0]?.elements.length === 0) requestId = ids[0].text;
    }
    if (this.defects.has('request-id-not-echoed')) requestId = '';
    if (structural !== null) return this.sasResponse(requestId, { error: structural });
    try {
      const version = fields.get('Version') ?? '';
      const action = fields.get('Action') ?? '';
      if (version === '' || action === '') throw new AgentFailure('AGENT_ERROR_MISSING_ELEMENT');
      if (action === 'provision') return this.sasResponse(requestId, { id: this.provision(fields) });
      if (action === 'SecurityStrings') return this.sasResponse(requestId, { strings: this.strings(fields) });
      throw new AgentFailure('AGENT_ERROR_UNKNOWN_ACTION');
    } catch (error) {
      if (error instanceof AgentFailure) return this.sasResponse(requestId, { error: error.error });
      throw error;
    }
  }

  private provision(fields: Map<ElementName, string>): string {
    const username = fields.get('Username') ?? '';
    let code = fields.get('ProvisionCode');
    if (code === undefined && this.defects.has('missing-element-500')) {
      // The defect: the handler dereferences the code before checking it is there.
      code = (null as unknown as string).trim();
    }
    if (username === '' || code === undefined || code === '') throw new AgentFailure('AGENT_ERROR_MISSING_ELEMENT');
    const user = this.db.users.get(username);
    if (user === undefined) {
      throw new AgentFailure(
        this.defects.has('unknown-user-wrong-error') ? 'AGENT_ERROR_USER_NOT_FOUND' : 'AGENT_ERROR_NO_USER_FOUND',
      );
    }
    const issued = this.codes.get(username);
    if (issued === undefined) throw new AgentFailure('AGENT_ERROR_INVALID_PROVISION_CODE');
    if (issued.code !== code) {
      if (this.defects.has('wrong-code-burns-code')) this.codes.delete(username);
      throw new AgentFailure('AGENT_ERROR_INVALID_PROVISION_CODE');
    }
    // Whole seconds, as the console states the period: still valid during the period's last second.
    const elapsed = Math.floor((this.now() - issued.issuedAtMs) / 1000);
    const limit = issued.validitySeconds + (this.defects.has('expiry-off-by-one') ? 1 : 0);
    if (elapsed > limit) throw new AgentFailure('AGENT_ERROR_INVALID_PROVISION_CODE');
    if (!this.defects.has('code-reusable')) this.codes.delete(username);
    // One device per user: the previous device's security strings stop working.
    if (user.device !== null && !this.defects.has('old-strings-kept')) this.db.devices.delete(user.device.id);
    const device: Device = {
      id: `dev-${randomBytes(8).toString('hex')}`,
      strings: Array.from({ length: 10 }, () => String(randomInt(0, 10 ** 10)).padStart(10, '0')),
    };
    user.device = device;
    this.db.devices.set(device.id, username);
    return device.id;
  }

  private strings(fields: Map<ElementName, string>): string[] {
    const id = fields.get('Id') ?? '';
    if (id === '') throw new AgentFailure('AGENT_ERROR_MISSING_ELEMENT');
    const username = this.db.devices.get(id);
    const user = username === undefined ? undefined : this.db.users.get(username);
    if (user === undefined || user.device === null) throw new AgentFailure('AGENT_ERROR_NOT_PROVISIONED');
    // With the old-strings-kept defect a stale id still maps to the user: it gets the current strings.
    return user.device.strings;
  }

  private sasResponse(requestId: string, outcome: { error?: string; id?: string; strings?: string[] }): Answer {
    const parts = [
      `<Version>${PROTOCOL_VERSION}</Version>`,
      `<RequestID>${escapeText(requestId)}</RequestID>`,
      `<Result>${outcome.error === undefined ? 'PASS' : 'FAIL'}</Result>`,
      `<Error>${outcome.error ?? ''}</Error>`,
    ];
    if (outcome.id !== undefined) parts.push(`<Id>${escapeText(outcome.id)}</Id>`);
    if (outcome.strings !== undefined) {
      parts.push(`<SecurityStrings>${outcome.strings.map((s) => `<String>${s}</String>`).join('')}</SecurityStrings>`);
    }
    if (this.db.variants.has('verbose-answers')) {
      // Pretty-printed tokens (Version, Result, Error; data such as Id and RequestID stay exact), unknown
      // elements first and last, the defined ones in reverse order.
      const pretty = parts
        .reverse()
        .map((p) => p.replace(/^<(Version|Result|Error)>(.*)<\/\1>$/s, '<$1>\n    $2\n  </$1>'))
        .map((p) => p.replace('<SecurityStrings>', '<SecurityStrings><Count>many</Count>'));
      return {
        status: 200,
        contentType: 'text/plain',
        body: `<SASResponse>\n  <Server>swivel-variant</Server>\n  ${pretty.join('\n  ')}\n  <Extra><Nested a="1">x</Nested></Extra>\n  <Extra/>\n</SASResponse>\n`,
      };
    }
    return {
      status: 200,
      contentType: 'application/xml; charset=utf-8',
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<SASResponse>${parts.join('')}</SASResponse>`,
    };
  }

  // -------------------------------------------------------------------------------------------------------
  // Test hooks (docs/swivel.md, "Test-hook API")

  hook(method: string, path: string, body: unknown): Answer {
    if (method === 'GET' && path === '/info') {
      return json(200, {
        name: REFERENCE_NAME,
        version: REFERENCE_VERSION,
        capabilities: this.clock ? ['clock'] : [],
        instance: this.index,
        instances: this.count,
      });
    }
    if (method === 'POST' && path === '/reset') {
      this.db.reset();
      this.localCodes.clear();
      this.clockOffsetMs = 0;
      return json(204, undefined);
    }
    if (method === 'GET' && path === '/state') {
      const users: Record<string, { device: string | null }> = {};
      for (const [name, user] of this.db.users) users[name] = { device: user.device?.id ?? null };
      return json(200, { users });
    }
    const userPath = /^\/users\/([^/]+)(\/provision-code)?$/.exec(path);
    if (userPath !== null) {
      let username: string;
      try {
        username = decodeURIComponent(userPath[1] as string);
      } catch {
        return json(400, { error: 'BAD_USERNAME', message: 'the username is not valid percent-encoding' });
      }
      if (userPath[2] === undefined && method === 'PUT') return this.putUser(username, body);
      if (userPath[2] !== undefined && method === 'POST') return this.issue(username, 'Reprovision');
      return json(405, { error: 'METHOD_NOT_ALLOWED' });
    }
    if (method === 'POST' && path === '/self-provision') {
      const username = isRecord(body) ? body['username'] : undefined;
      if (typeof username !== 'string' || username === '') {
        return json(400, { error: 'BAD_REQUEST', message: 'body must be {"username": "<name>"}' });
      }
      if (!this.db.policy.selfProvisioning) {
        return json(403, {
          error: 'SELF_PROVISIONING_DISABLED',
          message: 'Allow user self-provision of mobile client is No',
        });
      }
      return this.issue(username, 'self-provision');
    }
    if (path === '/policy') {
      if (method === 'GET') return json(200, this.db.policy);
      if (method === 'PUT') return this.putPolicy(body);
      return json(405, { error: 'METHOD_NOT_ALLOWED' });
    }
    if (path === '/clock' || path === '/clock/advance') {
      if (!this.clock) return json(404, { error: 'NO_CLOCK', message: 'this server has no controllable clock' });
      if (method === 'GET' && path === '/clock') return json(200, { now: this.now() });
      if (method === 'PUT' && path === '/clock') {
        const now = isRecord(body) ? body['now'] : undefined;
        if (typeof now !== 'number' || !Number.isFinite(now)) {
          return json(400, { error: 'BAD_REQUEST', message: 'body must be {"now": <epoch milliseconds>}' });
        }
        this.clockOffsetMs = now - Date.now();
        return json(200, { now: this.now() });
      }
      if (method === 'POST' && path === '/clock/advance') {
        const seconds = isRecord(body) ? body['seconds'] : undefined;
        if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
          return json(400, { error: 'BAD_REQUEST', message: 'body must be {"seconds": <non-negative number>}' });
        }
        this.clockOffsetMs += seconds * 1000;
        return json(200, { now: this.now() });
      }
      return json(405, { error: 'METHOD_NOT_ALLOWED' });
    }
    return json(404, { error: 'NOT_FOUND', message: `no test hook ${method} ${HOOKS}${path}` });
  }

  private putUser(username: string, body: unknown): Answer {
    const destination =
      isRecord(body) && typeof body['destination'] === 'string' ? body['destination'] : `${username}@example.invalid`;
    const existing = this.db.users.get(username);
    if (existing !== undefined) {
      existing.destination = destination;
      return json(200, { username, destination });
    }
    this.db.users.set(username, { destination, device: null });
    return json(201, { username, destination });
  }

  private issue(username: string, how: 'Reprovision' | 'self-provision'): Answer {
    const user = this.db.users.get(username);
    if (user === undefined) return json(404, { error: 'NO_SUCH_USER', message: `no user "${username}"` });
    const code = String(randomInt(0, 10 ** 8)).padStart(8, '0');
    // A newer code replaces the user's earlier one in this instance's (or the shared) memory.
    if (this.defects.has('one-code-per-server')) this.codes.clear();
    this.codes.set(username, { code, issuedAtMs: this.now(), validitySeconds: this.db.policy.validitySeconds });
    return json(201, {
      code,
      destination: user.destination,
      message: `Your Swivel mobile provision code is ${code}. It is valid for ${this.db.policy.validitySeconds} seconds.`,
      log: [
        `Message sent to user: ${username}, destination: ${user.destination}.`,
        `User "${username}" can now reprovision their mobile device.`,
        `Provision code created for user "${username}"${how === 'self-provision' ? ' (self-provision)' : ''}`,
      ],
    });
  }

  private putPolicy(body: unknown): Answer {
    if (!isRecord(body))
      return json(422, { error: 'INVALID_POLICY', field: '', message: 'body must be a JSON object' });
    const next = { ...this.db.policy };
    for (const [key, value] of Object.entries(body)) {
      if (key === 'validitySeconds') {
        const low = this.defects.has('validity-range-unchecked') ? 1 : 10;
        const high = this.defects.has('validity-range-unchecked') ? Number.MAX_SAFE_INTEGER : 1_000_000;
        if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
          return json(422, {
            error: 'INVALID_POLICY',
            field: key,
            message: 'Provision Code Validity period (seconds) must be a whole number from 10 to 1000000',
          });
        }
        next.validitySeconds = value;
      } else if (key === 'selfProvisioning' || key === 'logDeviceInformation') {
        if (typeof value !== 'boolean') {
          return json(422, { error: 'INVALID_POLICY', field: key, message: `${key} must be true or false` });
        }
        next[key] = value;
      } else {
        return json(422, { error: 'INVALID_POLICY', field: key, message: `unknown policy setting "${key}"` });
      }
    }
    this.db.policy = next;
    if (this.defects.has('policy-change-drops-codes')) this.codes.clear();
    return json(200, next);
  }
}

/** Starts the reference cluster on loopback (port 0 each) and returns the instances' base URLs. */
export async function startSwivelReference(options: SwivelReferenceOptions = {}): Promise<SwivelReference> {
  const count = options.instances ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`instances must be a whole number >= 1, got ${count}`);
  const defects = new Set<SwivelDefectId>();
  for (const id of options.defects ?? []) {
    if (!isSwivelDefectId(id)) throw new Error(`unknown Swivel reference defect "${id}"`);
    defects.add(id);
  }
  const db = new Database(defects, new Set(options.variants ?? []));
  const host = options.host ?? '127.0.0.1';
  const servers: http.Server[] = [];
  const urls: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const instance = new Instance(i, count, db, defects, options.sessionSharing ?? false, options.clock ?? true);
      const server = http.createServer((req, res) => serve(instance, req, res));
      server.keepAliveTimeout = 30_000;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, host, () => resolve());
      });
      servers.push(server);
      urls.push(`http://${host}:${(server.address() as AddressInfo).port}`);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => closeServer(s)));
    throw error;
  }
  let closed = false;
  return {
    urls,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(servers.map((s) => closeServer(s)));
    },
  };
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function serve(instance: Instance, req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('error', () => res.destroy());
  req.on('end', () => {
    let answer: Answer;
    try {
      answer = route(instance, req.method ?? 'GET', req.url ?? '/', Buffer.concat(chunks).toString('utf8'), tooLarge);
    } catch (error) {
      // A genuine bug (or a seeded crash): what a servlet container would show.
      answer = {
        status: 500,
        contentType: 'text/plain',
        body: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    res.writeHead(answer.status, {
      'Content-Type': answer.contentType,
      'Content-Length': Buffer.byteLength(answer.body),
    });
    res.end(answer.body);
  });
}

function route(instance: Instance, method: string, url: string, body: string, tooLarge: boolean): Answer {
  const path = url.split('?')[0] ?? '/';
  if (path === '/AgentXML') {
    if (method !== 'POST') return json(405, { error: 'METHOD_NOT_ALLOWED', message: 'AgentXML takes POST' });
    if (tooLarge) return json(413, { error: 'TOO_LARGE', message: `bodies are limited to ${MAX_BODY_BYTES} bytes` });
    return instance.agent(body);
  }
  if (path.startsWith(`${HOOKS}/`)) {
    let parsed: unknown;
    if (body !== '') {
      try {
        parsed = JSON.parse(body);
      } catch {
        return json(400, { error: 'BAD_JSON', message: 'the body is not JSON' });
      }
    }
    return instance.hook(method, path.slice(HOOKS.length), parsed);
  }
  return json(404, {
    error: 'NOT_FOUND',
    message: `nothing at ${path}: AgentXML is POST /AgentXML, test hooks are under ${HOOKS}/`,
  });
}
