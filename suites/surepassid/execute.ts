/**
 * Runs one vector against one session: its fixtures (test hooks for accounts and users, the API itself for
 * devices, whose ids the server assigns), then its steps, each judged against the model. Fixture names get a
 * per-case suffix so cases can run side by side on one server without a reset.
 *
 * Everything reported is redacted: account login keys (every `spAccountLoginKey` sent) and OATH secrets
 * (every `secret=` in an answer, in clear or percent-encoded inside a QR code URL, or in the Key URI decoded
 * from a QR image; inline images themselves are replaced, since their pixels encode the secret).
 */
import { randomHex } from '../../src/core/random.ts';
import { keyedBytes } from '../../src/core/secret-markers.ts';
import { Redactor, REDACTED } from '../../src/core/redact.ts';
import type { Attachment, StepRecord } from '../../src/core/results.ts';
import { decidingPart, worstVerdict } from '../../src/core/verdict.ts';
import { judgeExchange, describeExpectation, type StepJudgement, type SurePassIdCategory } from './judge.ts';
import { apply, emptyState, expect, operationOf, type SentBody } from './model.ts';
import { imageFetcherOf, qrImageReport, readQrImage, type QrImageRead } from './qr.ts';
import type { Expectation, OathExchange, SurePassIdSession, Vector } from './types.ts';

export const SPECIFICATION = 'SurePassID Provision Soft Token (OTA)';

export type CaseVerdict = 'pass' | 'fail' | 'non-strict' | 'informational';

export interface SurePassIdCaseRun {
  verdict: CaseVerdict;
  category?: SurePassIdCategory;
  /** One line, redacted. */
  message: string;
  requirements: string[];
  steps: StepRecord[];
  parameters: Record<string, string>;
  /** The errorCode of each request of `steps` after the fixtures (null: no JSON answer), for statistics. */
  codes: (number | null)[];
  /** The model's expectation and the observed errorCode of the deciding step. */
  expected: string;
  observed: string;
  /** Implementation-defined choices the answers showed: choice point -> option. */
  choices: Record<string, string>;
  /** Every secret of the case (login keys sent, OATH secrets and QR texts received), as first seen. */
  secrets: readonly string[];
  /** How many QR images were read (fetched or inline): their pixels encode an OATH secret. */
  qrImages: number;
}

/** How many fixture names a case tries before a server that holds them all makes it broken. */
const MAX_NAME_DRAWS = 8;

/** Placeholders: `{{account:A}}`, `{{key:A}}`, `{{device:D}}`. */
export const PLACEHOLDER = /\{\{(account|key|device):([A-Za-z0-9._-]+)\}\}/g;

interface Bindings {
  accounts: Map<string, { name: string; key: string }>;
  devices: Map<string, string>;
}

/** Collects the secrets of a run and redacts text and JSON bodies with them. */
export class SecretKeeper {
  readonly redactor = new Redactor();
  readonly secrets: string[] = [];

  add(secret: string | null | undefined): void {
    if (secret === null || secret === undefined || secret === '' || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    this.redactor.add(secret);
  }

  /** Keys in a request body (structurally, so even a one-character key is hidden). */
  fromRequest(body: SentBody): void {
    if ('json' in body) {
      const key = (body.json as { spAccountLoginKey?: unknown } | null)?.spAccountLoginKey;
      if (typeof key === 'string') this.add(key);
    }
  }

  /** OATH secrets in an answer, in clear (`secret=K`) or percent-encoded in a URL (`secret%3DK`). */
  fromAnswer(text: string): void {
    for (const m of text.matchAll(/secret(?:=|%3D|%253D)([^&%"\\\s]+)/gi)) this.add(m[1]);
  }

  /**
   * Known secrets replaced, and inline images dropped: a QR code image encodes the OATH secret in its pixels,
   * which no text search would find.
   */
  text(text: string): string {
    return this.redactor
      .text(text)
      .replace(
        /(data:image\\?\/[A-Za-z0-9.+-]+;base64,)[A-Za-z0-9+/=\\]+/g,
        (_m, head: string) => `${head}${REDACTED}`,
      );
  }

  /** A request body for a report: the key replaced structurally, then every known secret in the text. */
  body(body: string): string {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && 'spAccountLoginKey' in parsed) {
        (parsed as Record<string, unknown>)['spAccountLoginKey'] = REDACTED;
        return this.text(JSON.stringify(parsed));
      }
    } catch {
      // Not JSON: text redaction only.
    }
    return this.text(body);
  }
}

/** Runs the vector; throws only when the target cannot be reached or a test hook fails (a broken case). */
export async function runVector(
  vector: Vector,
  session: SurePassIdSession,
  signal: AbortSignal,
  random: () => number,
  /** Record the first option of a choice point too where an answer shows it (a conformance statement is judged). */
  everyChoice = false,
): Promise<SurePassIdCaseRun> {
  // Drawn from the case's seeded generator, so two runs with one seed name the fixtures (and report them)
  // alike; a name a server already holds (it keeps accounts between runs, or the case ran before in this
  // run) is drawn again.
  let suffix = randomHex(random, 8);
  const keeper = new SecretKeeper();
  const bindings: Bindings = { accounts: new Map(), devices: new Map() };
  const state = emptyState();
  const steps: StepRecord[] = [];
  const given = vector.given ?? {};

  for (const account of given.accounts ?? []) {
    keeper.add(account.key);
    const start = Date.now();
    let name = `${account.name}-${suffix}`;
    const tried: string[] = [];
    for (;;) {
      const created = await session.hooks.createAccount(
        { loginName: name, loginKey: account.key, ...(account.issuer === undefined ? {} : { issuer: account.issuer }) },
        signal,
      );
      if (created === 'created') break;
      tried.push(name);
      if (tried.length === MAX_NAME_DRAWS) {
        throw new Error(
          `test hook POST /accounts answered 409 (the login name exists) for ${tried.join(', ')}: reset the server's test data (POST /reset, docs/surepassid.md)`,
        );
      }
      suffix = randomHex(random, 8);
      name = `${account.name}-${suffix}`;
    }
    bindings.accounts.set(account.name, { name, key: account.key });
    state.accounts.set(name, { key: account.key, users: new Set() });
    steps.push({ name: `given: account ${name} (test hook)`, status: 'passed', start, stop: Date.now() });
  }
  for (const user of given.users ?? []) {
    const account = bindings.accounts.get(user.account) as { name: string };
    const start = Date.now();
    await session.hooks.createUser({ account: account.name, username: user.username }, signal);
    state.accounts.get(account.name)?.users.add(user.username);
    steps.push({
      name: `given: user ${user.username} of ${account.name} (test hook)`,
      status: 'passed',
      start,
      stop: Date.now(),
    });
  }

  const judged: { judgement: StepJudgement; expectation: Expectation; setup: boolean }[] = [];
  let qrImages = 0;
  const finish = (phase: 'setup' | 'steps') => ({
    ...finishRun(vector, steps, judged, keeper, phase),
    secrets: [...keeper.secrets],
    qrImages,
  });
  // Key (hex) -> the device a Key URI of this case gave it to: no other device may get it (SP-KEYURI-SECRET).
  const deviceKeys = new Map<string, string>();
  const send = async (
    name: string,
    body: SentBody,
    text: string,
    contentType: string | undefined,
    setup: boolean,
  ): Promise<StepJudgement> => {
    keeper.fromRequest(body);
    const expectation = expect(state, body);
    const start = Date.now();
    const exchange = await session.send(text, signal, contentType);
    if (exchange.response !== null) keeper.fromAnswer(exchange.response.body);
    // A Key URI offered only as a QR image is decoded before judging; its text holds the OATH secret.
    let image: QrImageRead | null = null;
    const wantsKeyUri = (expectation.success ?? expectation.alternative?.expectation.success)?.kind === 'key-uri';
    if (wantsKeyUri && exchange.response !== null) {
      image = await readQrImage(exchange.response.body, imageFetcherOf(session), signal);
      if (image !== null) qrImages++;
      if (image !== null && image.decoded !== null) {
        keeper.fromAnswer(image.decoded);
        if (!/^otpauth:/i.test(image.decoded)) keeper.add(image.decoded);
      }
    }
    const judgement = judgeExchange(expectation, exchange, operationOf(body), {
      knownDeviceIds: new Set(state.devices.keys()),
      keyUri: image?.source ?? null,
      deviceKeys,
      everyChoice,
    });
    if (judgement.issued !== undefined) deviceKeys.set(judgement.issued.key, judgement.issued.deviceId);
    // The state follows the answer the server gave: the alternative's request where it took that one.
    const taken = judgement.alternative === true && expectation.alternative ? expectation.alternative : null;
    if (judgement.answer !== null && judgement.errorCode !== null)
      apply(state, taken?.body ?? body, taken?.expectation ?? expectation, judgement.errorCode, judgement.answer);
    judged.push({ judgement, expectation, setup });
    steps.push({
      name,
      status: judgement.verdict === 'fail' ? 'failed' : 'passed',
      start,
      stop: Date.now(),
      message: keeper.text(`${judgement.message}. Expected ${describeExpectation(expectation)}`),
      attachments: [
        ...exchangeAttachments(exchange, keeper),
        ...(image === null
          ? []
          : [
              {
                name: 'qr-image',
                contentType: 'text/plain' as const,
                body: qrImageReport(image, (t) => keeper.text(t)),
              },
            ]),
      ],
    });
    return judgement;
  };

  for (const device of given.devices ?? []) {
    const account = bindings.accounts.get(device.account) as { name: string; key: string };
    const credentials = { spAccountLoginName: account.name, spAccountLoginKey: account.key };
    const add = { type: 'add_oath_device', username: device.username, ...credentials };
    const added = await send(
      `given: add_oath_device for ${device.username} (${device.ref})`,
      { json: add },
      JSON.stringify(add),
      undefined,
      true,
    );
    const id = added.answer?.['deviceId'];
    if (added.verdict === 'fail' || typeof id !== 'string') return finish('setup');
    bindings.devices.set(device.ref, id);
    if (device.provision !== undefined) {
      const provision = {
        type: 'provision_oath_device',
        username: device.username,
        ...credentials,
        deviceId: id,
        physicalDeviceId: device.provision,
      };
      const provisioned = await send(
        `given: provision_oath_device ${device.ref}`,
        { json: provision },
        JSON.stringify(provision),
        undefined,
        true,
      );
      if (provisioned.verdict === 'fail') return finish('setup');
    }
    if (device.deleted === true) {
      const start = Date.now();
      await session.hooks.deleteDevice({ account: account.name, deviceId: id }, signal);
      const modelled = state.devices.get(id);
      if (modelled !== undefined) modelled.deleted = true;
      steps.push({ name: `given: delete ${device.ref} (test hook)`, status: 'passed', start, stop: Date.now() });
    }
  }

  for (const [index, step] of vector.steps.entries()) {
    let body: SentBody;
    let text: string;
    if (step.raw !== undefined) {
      text = substitute(step.raw, bindings);
      body = parseSent(text);
    } else {
      const json = substituteJson(step.body, bindings);
      text = JSON.stringify(json);
      body = { json };
    }
    const type = operationOf(body);
    const judgement = await send(
      `step ${index + 1}: ${type ?? 'malformed request'}`,
      body,
      text,
      step.contentType,
      false,
    );
    if (judgement.verdict === 'fail') break;
  }
  return finish('steps');
}

function finishRun(
  vector: Vector,
  steps: StepRecord[],
  judged: { judgement: StepJudgement; expectation: Expectation; setup: boolean }[],
  keeper: SecretKeeper,
  phase: 'setup' | 'steps',
): Omit<SurePassIdCaseRun, 'secrets' | 'qrImages'> {
  const parameters: Record<string, string> = {
    requests: String(judged.length),
    types: [
      ...new Set(vector.steps.map((s) => typeOfTemplate(s.body) ?? (s.raw !== undefined ? 'raw body' : 'malformed'))),
    ].join(', '),
  };
  const failing = judged.find((j) => j.judgement.verdict === 'fail');
  // The worst step decides, in the order every suite uses (src/core/verdict.ts); when every step passed, the
  // message is the last step's.
  const verdict = worstVerdict(judged.map((j) => j.judgement.verdict)) as CaseVerdict;
  const deciding =
    verdict === 'pass' ? judged.at(-1) : decidingPart(judged.map((j) => ({ verdict: j.judgement.verdict, j })))?.j; // Fixture requests and the vector's own steps are numbered apart, as the vector author counts them.
  const setups = judged.filter((j) => j.setup);
  const own = judged.filter((j) => !j.setup);
  const where =
    deciding?.setup === true
      ? `fixture request ${setups.indexOf(deciding) + 1}`
      : `step ${deciding === undefined ? 0 : own.indexOf(deciding) + 1} of ${vector.steps.length}`;
  const message =
    deciding === undefined
      ? 'no request was sent'
      : `${phase === 'setup' && failing !== undefined ? 'the fixtures failed: ' : ''}${where}: ${deciding.judgement.message}`;
  const run: Omit<SurePassIdCaseRun, 'secrets' | 'qrImages'> = {
    verdict,
    message: keeper.text(message),
    requirements: failing !== undefined ? failing.judgement.requirements : vector.requirements,
    steps,
    parameters,
    codes: judged.filter((j) => !j.setup).map((j) => j.judgement.errorCode),
    expected: deciding === undefined ? '' : keeper.text(describeExpectation(deciding.expectation)),
    observed:
      deciding?.judgement.errorCode === null || deciding === undefined
        ? keeper.text(deciding?.judgement.message ?? '')
        : `errorCode ${deciding.judgement.errorCode}`,
    choices: Object.assign({}, ...judged.map((j) => j.judgement.choices ?? {})) as Record<string, string>,
  };
  if (failing?.judgement.category !== undefined) run.category = failing.judgement.category;
  return run;
}

function exchangeAttachments(exchange: OathExchange, keeper: SecretKeeper): Attachment[] {
  const request = `${exchange.request.method} ${exchange.request.url}\nContent-Type: ${exchange.request.contentType}\n\n${keeper.body(exchange.request.body)}`;
  const response =
    exchange.response === null
      ? `(no answer after ${exchange.ms} ms: ${exchange.failure?.message ?? 'unknown'})`
      : `HTTP ${exchange.response.status}${exchange.response.contentType === null ? '' : `\nContent-Type: ${exchange.response.contentType}`}\n(${exchange.ms} ms)\n\n${keeper.text(exchange.response.body)}`;
  return [
    { name: 'request', contentType: 'text/plain', body: request },
    { name: 'response', contentType: 'text/plain', body: response },
  ];
}

function parseSent(text: string): SentBody {
  try {
    return { json: JSON.parse(text) as unknown };
  } catch {
    return { raw: text };
  }
}

function substitute(text: string, bindings: Bindings): string {
  return text.replace(PLACEHOLDER, (whole, kind: string, name: string) => {
    if (kind === 'device') return bindings.devices.get(name) ?? whole;
    const account = bindings.accounts.get(name);
    if (account === undefined) return whole;
    return kind === 'account' ? account.name : account.key;
  });
}

function substituteJson(template: unknown, bindings: Bindings): unknown {
  if (typeof template === 'string') return substitute(template, bindings);
  if (Array.isArray(template)) return template.map((t) => substituteJson(t, bindings));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, substituteJson(v, bindings)]));
  }
  return template;
}

function typeOfTemplate(body: unknown): string | null {
  const type = (body as { type?: unknown } | null | undefined)?.type;
  return typeof type === 'string' ? type : null;
}

/** Characters a stand-in keeps the class of, as the Key URI judge reads them (Base32, hexadecimal). */
const CLASSES = ['0189', '234567', 'abcdef', 'ghijklmnopqrstuvwxyz', 'ABCDEF', 'GHIJKLMNOPQRSTUVWXYZ'];
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** How a stand-in of a Base32 secret starts: a reader of the record sees it is none (and it is valid Base32). */
export const STAND_IN_MARK = 'REDACTED';

/**
 * A stand-in for an OATH secret the server handed out, recorded in its place (`CaseResult.observations`):
 * the same length, each character replaced by another of its class (Base32 letters, digits 2-7, the other
 * digits, hexadecimal letters, each case), "=" and other characters kept, and a canonical Base32 ending
 * kept canonical; a Base32 one of 16 characters or more starts with {@link STAND_IN_MARK}, so that nobody
 * takes it for a secret. So the Key URI judge finds of it what it found of the secret (valid Base32 or not
 * and why, how many bits), two equal secrets get equal stand-ins and two different ones different
 * stand-ins, yet nothing of the secret can be read from it (keyed bytes: src/core/secret-markers.ts).
 */
export function standInSecret(secret: string): string {
  const stream = keyedBytes(secret, secret.length);
  const byte = (i: number): number => stream[i] as number;
  const body = secret.replace(/=+$/, '');
  const spare = [0, 0, 2, 0, 4, 1, 0, 3][body.length % 8] as number;
  const chars = [...secret];
  const standIn = chars
    .map((c, i) => {
      const cls = CLASSES.find((k) => k.includes(c));
      if (cls === undefined) return c;
      let options = [...cls];
      if (i === body.length - 1 && spare > 0) {
        // The bits past the last byte: zero stays zero (canonical), non-zero stays non-zero.
        const low = (x: string) => BASE32_ALPHABET.indexOf(x.toUpperCase()) & ((1 << spare) - 1);
        const zero = low(c) === 0;
        const kept = options.filter((o) => BASE32_ALPHABET.includes(o.toUpperCase()) && (low(o) === 0) === zero);
        if (kept.length > 0) options = kept;
      }
      return options[byte(i) % options.length] as string;
    })
    .join('');
  // Which characters stand where does not change the judgement (only their classes, the length and the
  // last character do): the mark replaces the first characters of a Base32 secret.
  const marked = /^[A-Z2-7]+=*$/i.test(secret) && body.length >= 16;
  return marked ? STAND_IN_MARK + standIn.slice(STAND_IN_MARK.length) : standIn;
}
