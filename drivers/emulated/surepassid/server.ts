/**
 * The SurePassID reference server: the REST/JSON OATH endpoint (`POST /AuthServer/REST/OATH/OATHServer.aspx`,
 * body `type` selects the operation) plus a small JSON test-hook API to create accounts and users and to
 * delete devices (docs/surepassid.md). A real node:http server on loopback, port 0.
 *
 * Written from the seed (003, "Provision Soft Token (OTA)") and docs/surepassid.md only: nothing here
 * imports suites/ (a lint rule enforces it), so the suite's model and this server cannot share a mistake.
 */
import http from 'node:http';
import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';
import { SUREPASSID_DEFECT_IDS, type SurePassIdDefectId } from './defects.ts';

export const DEFAULT_OATH_PATH = '/AuthServer/REST/OATH/OATHServer.aspx';
export const DEFAULT_HOOKS_PATH = '/__harness';
/** Where the QR code "image" URL points in `qr: 'chart'`; the payload travels in its `chl` parameter (chart-API style). */
export const QRCODE_PATH = '/AuthServer/QRCode.aspx';
/** Where the real PNG QR codes are served in `qr: 'image'` (`?id=<token>`: the URL carries no payload). */
export const QRCODE_IMAGE_PATH = '/AuthServer/QRCodeImage.aspx';

/**
 * How `QRCodeURL` delivers the Key URI: `chart`, a chart-API URL carrying it in `chl` (the default);
 * `image`, a URL of a PNG QR code served here; `data-url`, the PNG inline as `data:image/png;base64,...`.
 */
export const QR_MODES = ['chart', 'image', 'data-url'] as const;
export type QrMode = (typeof QR_MODES)[number];
/** PNG QR codes kept for `qr: 'image'`; the oldest are dropped beyond this (a long fuzz run issues many). */
const MAX_QR_IMAGES = 10_000;

/**
 * Behaviours other than the reference's where the sources permit several (tests only; not defects):
 * - `type-any-case`: a `type` in another letter case is the operation it spells.
 * - `issuer-in-label-only`: the Key URI names its issuer only in the label prefix (the legacy form).
 * - `algorithm-lower-case`: the Key URI spells the algorithm `sha1`.
 */
export const SUREPASSID_VARIANTS = ['type-any-case', 'issuer-in-label-only', 'algorithm-lower-case'] as const;
export type SurePassIdVariant = (typeof SUREPASSID_VARIANTS)[number];

export interface SurePassIdReferenceOptions {
  defects?: readonly string[];
  /** Other behaviours the sources permit (SUREPASSID_VARIANTS), for tests: the suite must not fail them. */
  variants?: readonly SurePassIdVariant[];
  /** The OATH endpoint path. Default {@link DEFAULT_OATH_PATH}. */
  path?: string;
  /** Prefix of the test hooks. Default {@link DEFAULT_HOOKS_PATH}. */
  hooksPath?: string;
  host?: string;
  /** Largest request body read, in bytes (a bigger one is answered 413). Default 1 MiB. */
  maxBodyBytes?: number;
  /** How QRCodeURL delivers the Key URI. Default `chart`. */
  qr?: QrMode;
}

export interface SurePassIdReference {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  readonly oathPath: string;
  readonly hooksPath: string;
  close(): Promise<void>;
}

// The return codes this server uses (SurePassID's APIReturnCode numbering).
const OK = 0;
const PARTNER_LOGIN_FAILED = 9000;
const PARTNER_USER_LOGIN_FAILED = 9001;
const DEVICE_INVALID = 9004;
const DEVICE_TYPE_INVALID = 9008;
const DEVICE_NOT_SPECIFIED = 9009;
const DEVICE_NOT_FOUND = 9021;

const MESSAGES: Record<number, string> = {
  [OK]: 'OK',
  [PARTNER_LOGIN_FAILED]: 'PartnerLoginFailed',
  [PARTNER_USER_LOGIN_FAILED]: 'PartnerUserLoginFailed',
  [DEVICE_INVALID]: 'DeviceInvalid',
  [DEVICE_TYPE_INVALID]: 'DeviceTypeInvalid',
  [DEVICE_NOT_SPECIFIED]: 'DeviceNotSpecified',
  [DEVICE_NOT_FOUND]: 'DeviceNotFound',
};

interface Account {
  key: string;
  issuer: string;
  users: Set<string>;
}

interface Device {
  id: string;
  account: string;
  username: string;
  physicalDeviceId: string | null;
  /** Raw OATH key; null until provisioned (OTA or QR code). */
  key: Buffer | null;
  deleted: boolean;
}

type Json = Record<string, unknown>;

/** A failure answered with an errorCode (HTTP 200, as the real service does). */
class ApiError extends Error {
  constructor(
    readonly code: number,
    detail: string,
  ) {
    super(detail);
  }
}

class Store {
  readonly accounts = new Map<string, Account>();
  readonly devices = new Map<string, Device>();

  reset(): void {
    this.accounts.clear();
    this.devices.clear();
  }

  newDeviceId(): string {
    // Shaped like the seed's sample id ("142o6-ar4v3-q2b85").
    const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
    let id: string;
    do {
      const group = () => Array.from({ length: 5 }, () => alphabet[randomInt(alphabet.length)]).join('');
      id = `${group()}-${group()}-${group()}`;
    } while (this.devices.has(id));
    return id;
  }
}

/** Starts the reference server on loopback (port 0) and resolves once it listens. */
export async function startSurePassIdReference(options: SurePassIdReferenceOptions = {}): Promise<SurePassIdReference> {
  const unknown = (options.defects ?? []).filter((d) => !SUREPASSID_DEFECT_IDS.includes(d));
  if (unknown.length > 0) {
    throw new Error(
      `unknown SurePassID reference defect(s) ${unknown.map((d) => JSON.stringify(d)).join(', ')}; known: ${SUREPASSID_DEFECT_IDS.join(', ')}`,
    );
  }
  const qrMode = options.qr ?? 'chart';
  if (!(QR_MODES as readonly string[]).includes(qrMode)) {
    throw new Error(`unknown SurePassID reference qr mode ${JSON.stringify(qrMode)}; known: ${QR_MODES.join(', ')}`);
  }
  const defects = new Set(options.defects as readonly SurePassIdDefectId[] | undefined);
  const variants = new Set<SurePassIdVariant>(options.variants ?? []);
  // Token -> Key URI of the PNGs served at QRCODE_IMAGE_PATH (a Map iterates oldest first).
  const qrImages = new Map<string, string>();
  const oathPath = options.path ?? DEFAULT_OATH_PATH;
  const hooksPath = (options.hooksPath ?? DEFAULT_HOOKS_PATH).replace(/\/+$/, '');
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const store = new Store();
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://reference');
    readBody(req, maxBodyBytes)
      .then((body) => {
        if (body === null) return send(res, 413, { error: `request body larger than ${maxBodyBytes} bytes` });
        if (url.pathname === oathPath) {
          if (req.method !== 'POST') return send(res, 405, { error: `use POST on ${oathPath}` }, { Allow: 'POST' });
          return oath(req, res, body);
        }
        if (url.pathname.startsWith(`${hooksPath}/`)) return hook(req, res, url.pathname.slice(hooksPath.length), body);
        if (url.pathname === QRCODE_PATH && req.method === 'GET') return qrcode(res, url);
        if (url.pathname === QRCODE_IMAGE_PATH && req.method === 'GET') return qrImage(res, url);
        return send(res, 404, { error: `no such resource: ${req.method} ${url.pathname}` });
      })
      .catch((error: unknown) => {
        // What an unhandled exception looks like on the real service: a 500 with a stack-trace page.
        if (!res.headersSent) {
          const text = `Server Error in '/AuthServer' Application.\n${error instanceof Error ? error.message : String(error)}`;
          res.writeHead(500, {
            'Content-Type': 'text/plain; charset=utf-8',
            'Content-Length': Buffer.byteLength(text),
          });
          res.end(text);
        }
      });
  });
  server.keepAliveTimeout = 30_000;

  async function oath(req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      if (defects.has('non-json-hang')) {
        // Never answered; the socket is released when the client gives up or the server closes.
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      return reply(res, undefined, new ApiError(DEVICE_TYPE_INVALID, 'the request body is not JSON'));
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return reply(res, undefined, new ApiError(DEVICE_TYPE_INVALID, 'the request body must be a JSON object'));
    }
    const request = body as Json;
    const spelt = typeof request['type'] === 'string' ? request['type'] : undefined;
    const type = variants.has('type-any-case') ? spelt?.toLowerCase() : spelt;
    try {
      const account = login(request, type);
      switch (type) {
        case 'add_oath_device':
          return reply(res, type, null, addDevice(request, account));
        case 'provision_oath_device':
          return reply(res, type, null, await provision(req, request, account));
        case 'get_oath_device_qrcode':
          return reply(res, type, null, await qrCodeOf(req, request, account));
        case 'find_device':
          return reply(res, type, null, findDevice(request, account));
        default:
          throw new ApiError(DEVICE_TYPE_INVALID, `unknown request type ${JSON.stringify(request['type'])}`);
      }
    } catch (error) {
      if (error instanceof ApiError) return reply(res, type, error);
      throw error;
    }
  }

  /** Reads a string field; the `type-coercion` defect reads anything that is not absent as a string. */
  function text(request: Json, field: string): string | undefined {
    const value = request[field];
    if (defects.has('type-coercion')) return value === undefined || value === null ? undefined : String(value);
    return typeof value === 'string' ? value : undefined;
  }

  function login(request: Json, type: string | undefined): { name: string; account: Account } {
    const name = text(request, 'spAccountLoginName');
    const key = text(request, 'spAccountLoginKey');
    const account = name === undefined ? undefined : store.accounts.get(name);
    if (account === undefined || key !== account.key) {
      if (defects.has('qrcode-bad-key-9001') && type === 'get_oath_device_qrcode' && account !== undefined) {
        throw new ApiError(PARTNER_USER_LOGIN_FAILED, 'user login failed');
      }
      throw new ApiError(PARTNER_LOGIN_FAILED, 'account login failed');
    }
    return { name: name as string, account };
  }

  function user(request: Json, login: { name: string; account: Account }): string {
    const username = text(request, 'username');
    if (username === undefined || username === '' || !login.account.users.has(username)) {
      throw new ApiError(PARTNER_USER_LOGIN_FAILED, 'no such user in this account');
    }
    return username;
  }

  function device(request: Json, login: { name: string }, username: string | undefined): Device {
    const id = text(request, 'deviceId');
    if (id === undefined || id === '') throw new ApiError(DEVICE_NOT_SPECIFIED, 'deviceId is required');
    const found = store.devices.get(id);
    const visible = found !== undefined && (!found.deleted || defects.has('found-after-deletion'));
    if (!visible || found.account !== login.name || (username !== undefined && found.username !== username)) {
      throw new ApiError(DEVICE_NOT_FOUND, 'no such device for this user');
    }
    return found;
  }

  function addDevice(request: Json, login: { name: string; account: Account }): Json {
    const username = user(request, login);
    const id = store.newDeviceId();
    store.devices.set(id, { id, account: login.name, username, physicalDeviceId: null, key: null, deleted: false });
    return { deviceId: id, deviceType: 0 };
  }

  async function provision(
    req: http.IncomingMessage,
    request: Json,
    login: { name: string; account: Account },
  ): Promise<Json> {
    const username = user(request, login);
    let physical: string | undefined;
    if (defects.has('missing-physical-device-500')) {
      // The bug: the field is trimmed before anyone checked it is there.
      physical = (request['physicalDeviceId'] as string).trim();
    } else {
      physical = text(request, 'physicalDeviceId');
      if (physical === undefined || physical === '') throw new ApiError(DEVICE_INVALID, 'physicalDeviceId is required');
    }
    const found = device(request, login, username);
    found.physicalDeviceId = physical;
    // Provisioning (again) issues a fresh key: a token reinstalled on a new phone must not share the old one.
    found.key = randomBytes(20);
    return {
      deviceId: found.id,
      deviceType: 0,
      physicalDeviceId: physical,
      QRCodeURL: await qrCodeUrl(req, keyUri(login.account, found, username)),
    };
  }

  async function qrCodeOf(
    req: http.IncomingMessage,
    request: Json,
    login: { name: string; account: Account },
  ): Promise<Json> {
    const username = user(request, login);
    const found = device(request, login, username);
    found.key ??= randomBytes(20);
    const label = text(request, 'accountName');
    return {
      // A blank account name (spaces) would leave the Key URI's label without one: the username instead.
      QRCodeURL: await qrCodeUrl(
        req,
        keyUri(login.account, found, label !== undefined && label.trim() !== '' ? label : username),
      ),
    };
  }

  function findDevice(request: Json, login: { name: string; account: Account }): Json {
    const username = request['username'] === undefined ? undefined : user(request, login);
    const found = device(request, login, username);
    return {
      deviceId: found.id,
      username: found.username,
      physicalDeviceId: found.physicalDeviceId,
      provisioned: found.key !== null,
    };
  }

  function keyUri(account: Account, found: Device, label: string): string {
    const key = found.key as Buffer;
    const secret = defects.has('secret-hex') ? key.toString('hex').toUpperCase() : base32(key);
    const params = new URLSearchParams({ secret });
    if (!defects.has('missing-issuer') && !variants.has('issuer-in-label-only')) params.set('issuer', account.issuer);
    params.set('algorithm', variants.has('algorithm-lower-case') ? 'sha1' : 'SHA1');
    params.set('digits', '6');
    params.set('period', '30');
    const name = defects.has('missing-issuer') ? label : `${account.issuer}:${label}`;
    return `otpauth://totp/${encodeURIComponent(name).replace(/%3A/g, ':')}?${params.toString().replace(/\+/g, '%20')}`;
  }

  async function qrCodeUrl(req: http.IncomingMessage, payload: string): Promise<string> {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    switch (qrMode) {
      case 'chart':
        return `${origin}${QRCODE_PATH}?cht=qr&chs=200x200&chl=${encodeURIComponent(payload)}`;
      case 'data-url':
        return QRCode.toDataURL(payload, { type: 'image/png', errorCorrectionLevel: 'M' });
      case 'image': {
        const token = randomBytes(16).toString('hex');
        qrImages.set(token, payload);
        for (const oldest of qrImages.keys()) {
          if (qrImages.size <= MAX_QR_IMAGES) break;
          qrImages.delete(oldest);
        }
        return `${origin}${QRCODE_IMAGE_PATH}?id=${token}`;
      }
    }
  }

  async function qrImage(res: http.ServerResponse, url: URL): Promise<void> {
    const payload = qrImages.get(url.searchParams.get('id') ?? '');
    if (payload === undefined) return send(res, 404, { error: 'no such QR code image' });
    const png = await QRCode.toBuffer(payload, { type: 'png', errorCorrectionLevel: 'M' });
    res.writeHead(200, { 'Content-Type': 'image/png', 'Content-Length': png.length, 'Cache-Control': 'no-store' });
    res.end(png);
  }

  function qrcode(res: http.ServerResponse, url: URL): void {
    // The chart-API stand-in: the "image" is the payload itself, as text (docs/surepassid.md says so); the
    // harness reads the payload from the URL and never fetches this.
    const payload = url.searchParams.get('chl') ?? '';
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(payload) });
    res.end(payload);
  }

  function hook(req: http.IncomingMessage, res: http.ServerResponse, route: string, raw: string): void {
    if (route === '/info' && req.method === 'GET') {
      return send(res, 200, {
        name: 'surepassid-reference',
        version: '1.0.0',
        capabilities: ['test-hooks'],
        defects: [...defects],
      });
    }
    if (req.method !== 'POST') return send(res, 405, { error: 'test hooks take POST' }, { Allow: 'POST' });
    let body: Json;
    try {
      const parsed: unknown = raw === '' ? {} : JSON.parse(raw);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Json;
    } catch {
      return send(res, 400, { error: 'test hook bodies are JSON objects' });
    }
    const str = (field: string): string | null => (typeof body[field] === 'string' ? (body[field] as string) : null);
    switch (route) {
      case '/reset':
        store.reset();
        return send(res, 204, null);
      case '/accounts': {
        const loginName = str('loginName');
        const loginKey = str('loginKey');
        const issuer = str('issuer') ?? 'SurePassID';
        if (!loginName || loginKey === null)
          return send(res, 400, { error: 'loginName and loginKey (strings) are required' });
        if (store.accounts.has(loginName)) return send(res, 409, { error: `account ${loginName} exists` });
        store.accounts.set(loginName, { key: loginKey, issuer, users: new Set() });
        return send(res, 201, { loginName });
      }
      case '/users': {
        const account = store.accounts.get(str('account') ?? '');
        const username = str('username');
        if (account === undefined || !username)
          return send(res, 400, { error: 'an existing account and a username are required' });
        account.users.add(username);
        return send(res, 201, { username });
      }
      case '/devices/delete': {
        const found = store.devices.get(str('deviceId') ?? '');
        if (found === undefined || found.account !== str('account') || found.deleted) {
          return send(res, 404, { error: 'no such device in this account' });
        }
        found.deleted = true;
        return send(res, 204, null);
      }
      default:
        return send(res, 404, { error: `no such test hook: ${route}` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    oathPath,
    hooksPath,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function reply(res: http.ServerResponse, type: string | undefined, error: ApiError | null, fields: Json = {}): void {
  const code = error === null ? OK : error.code;
  const body: Json = {
    errorCode: code,
    errorMessage: error === null ? 'OK' : `${MESSAGES[code] ?? 'Error'}: ${error.message}`,
  };
  Object.assign(body, fields);
  if (type !== undefined) body['type'] = type;
  send(res, 200, body);
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  if (body === null) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooBig ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 Base32 without padding (what authenticator apps expect in a Key URI). */
function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    // Only the bits not yet written are kept, so `value` never outgrows 32-bit arithmetic.
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
