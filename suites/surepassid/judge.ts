/**
 * Judges one exchange with the OATH endpoint against the model's expectation, in the order a reader wants
 * to hear about it: no answer or a 500 (server-error), an answer that is not the documented JSON
 * (server-error / schema-violation), the wrong errorCode, then what a success must carry (a valid Key URI,
 * the device asked for).
 */
import { printable, printableJson } from '../../src/core/errors.ts';
import { ALGORITHM_CASE_CHOICE, checkKeyUri, keyUriOf, type PayloadSource } from './keyuri.ts';
import { codeName, RETURN_CODES, SUCCESS } from './codes.ts';
import { accepts, operationOf, TYPE_CASE_CHOICE } from './model.ts';
import { responseProblems } from './schemas.ts';
import type { Expectation, OathExchange, OperationType } from './types.ts';

export type SurePassIdCategory = 'server-error' | 'schema-violation' | 'wrong-result-code' | 'wrong-state';

export interface StepJudgement {
  verdict: 'pass' | 'fail' | 'non-strict' | 'informational';
  category?: SurePassIdCategory;
  message: string;
  /** Requirements this step's verdict is about (the failing ones, when it fails). */
  requirements: string[];
  /** The parsed answer, when it was a JSON object. */
  answer: Record<string, unknown> | null;
  errorCode: number | null;
  /** Implementation-defined choices the answer showed (choice point -> option): informational. */
  choices?: Record<string, string>;
  /** The answer met the expectation's `alternative`: the state follows the alternative's request. */
  alternative?: true;
  /** A valid Key URI gave this device this key (hex): kept by the case to compare, never reported. */
  issued?: { deviceId: string; key: string };
}

export function describeExpectation(e: Expectation): string {
  if (e.nonZero === true) return `a non-zero errorCode (${e.why})`;
  return `errorCode ${e.codes.map(codeName).join(' or ')} (${e.why})`;
}

export interface JudgeContext {
  knownDeviceIds: ReadonlySet<string>;
  /** Where the Key URI was found when the caller read it from a QR image (qr.ts); else keyUriOf decides. */
  keyUri?: PayloadSource | null;
  /** The keys (hex) earlier Key URIs of the case gave, each with the device it was given to. */
  deviceKeys?: ReadonlyMap<string, string>;
  /**
   * Record the harness's own reading of a choice point too where an answer shows it (the first option:
   * {@link PRIMARY_OPTIONS}), not only the other option: a conformance statement is judged
   * (`TargetDeclarations.everyChoice`).
   */
  everyChoice?: boolean;
}

/** The first option of each choice point (index.ts, CHOICE_POINTS): the reading the expectation itself takes. */
export const PRIMARY_OPTIONS: Readonly<Record<string, string>> = {
  [TYPE_CASE_CHOICE]: 'refused',
  [ALGORITHM_CASE_CHOICE]: 'format-case',
};

/**
 * One exchange against the expectation; where that is not met and the sources permit another answer (the
 * expectation's `alternative`), against that one too, whose match is recorded as a choice. An answer that
 * took the alternative (a success where the expectation wanted an error) but got it wrong is explained
 * against the alternative.
 */
export function judgeExchange(
  expectation: Expectation,
  exchange: OathExchange,
  type: OperationType | null,
  context: JudgeContext,
): StepJudgement {
  const primary = judgeOne(expectation, exchange, type, context);
  const alternative = expectation.alternative;
  if (alternative === undefined) return primary;
  if (primary.verdict !== 'fail') {
    if (context.everyChoice !== true) return primary;
    // The expectation's own reading, recorded where the other one would not explain the answer.
    const point = alternative.choice.point;
    const other = judgeOne(alternative.expectation, exchange, operationOf(alternative.body), context);
    const option = PRIMARY_OPTIONS[point];
    if (other.verdict !== 'fail' || option === undefined) return primary;
    return { ...primary, choices: { ...primary.choices, [point]: option } };
  }
  const other = judgeOne(alternative.expectation, exchange, operationOf(alternative.body), context);
  const how = `${alternative.choice.point}: ${alternative.choice.option}`;
  if (other.verdict !== 'fail') {
    return {
      ...other,
      verdict: other.verdict === 'pass' ? 'informational' : other.verdict,
      message: `${other.message} (${how}: ${alternative.expectation.why})`,
      choices: { ...other.choices, [alternative.choice.point]: alternative.choice.option },
      alternative: true,
    };
  }
  if (primary.category === 'wrong-result-code' && primary.errorCode === SUCCESS) {
    return { ...other, message: `${other.message} (the request read as ${how})` };
  }
  return primary;
}

function judgeOne(
  expectation: Expectation,
  exchange: OathExchange,
  type: OperationType | null,
  context: JudgeContext,
): StepJudgement {
  const wanted = describeExpectation(expectation);
  const fail = (
    category: SurePassIdCategory,
    message: string,
    requirements: string[],
    answer: Record<string, unknown> | null = null,
    errorCode: number | null = null,
  ): StepJudgement => ({
    verdict: 'fail',
    category,
    message,
    requirements,
    answer,
    errorCode,
  });
  const wire = [...new Set(['SP-WIRE-ANSWER', ...expectation.requirements])];
  if (exchange.failure !== null || exchange.response === null) {
    const what =
      exchange.failure?.kind === 'timeout'
        ? `no answer (a hang): ${exchange.failure.message}`
        : `no complete answer: ${exchange.failure?.message ?? 'none'}`;
    return fail('server-error', `expected ${wanted}; got ${what}`, wire);
  }
  const { status, body } = exchange.response;
  if (status >= 500) {
    return fail('server-error', `expected ${wanted}; got HTTP ${status}: ${excerpt(body)}`, wire);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail(
      'server-error',
      `expected ${wanted}; got HTTP ${status} with a body that is not JSON: ${excerpt(body)}`,
      wire,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return fail(
      'server-error',
      `expected ${wanted}; got HTTP ${status} with JSON that is not an object: ${excerpt(body)}`,
      wire,
    );
  }
  const answer = parsed as Record<string, unknown>;
  const problems = responseProblems(answer, type);
  const errorCode = typeof answer['errorCode'] === 'number' ? answer['errorCode'] : null;
  if (problems.length > 0) {
    return fail(
      'schema-violation',
      `the answer does not match the response schema${type === null ? '' : ` of ${type}`}: ${problems.join('; ')}`,
      ['SP-SCHEMA-RESPONSE'],
      answer,
      errorCode,
    );
  }
  const code = errorCode as number;
  if (!accepts(expectation, code)) {
    return fail(
      'wrong-result-code',
      `expected ${wanted}; got errorCode ${codeName(code)}${code === SUCCESS ? '' : ` (${printable(String(answer['errorMessage']))})`}`,
      expectation.requirements,
      answer,
      code,
    );
  }
  if (code !== SUCCESS && RETURN_CODES[code] === undefined) {
    return fail(
      'wrong-result-code',
      `errorCode ${code} is not a documented SurePassID return code (9000-9044)`,
      ['SP-CODE-RANGE'],
      answer,
      code,
    );
  }
  // The texts say nothing of the HTTP status: another status than 200 is recorded (informational), not judged.
  const otherStatus = status !== 200 ? ` (HTTP ${status}: the texts do not fix the status, not judged)` : '';
  const ok = (
    message: string,
    verdict: StepJudgement['verdict'] = otherStatus ? 'informational' : 'pass',
  ): StepJudgement => ({
    verdict,
    message: `${message}${otherStatus}`,
    requirements: expectation.requirements,
    answer,
    errorCode: code,
  });
  if (code !== SUCCESS || expectation.nonZero === true) return ok(`errorCode ${codeName(code)}, as expected`);

  const success = expectation.success;
  if (success === null) return ok('errorCode 0, as expected');
  switch (success.kind) {
    case 'added': {
      const id = answer['deviceId'] as string;
      if (context.knownDeviceIds.has(id)) {
        return fail(
          'wrong-state',
          `add_oath_device answered the deviceId ${printableJson(id)} of an existing device`,
          ['SP-ADD-DEVICE'],
          answer,
          code,
        );
      }
      return ok(`errorCode 0 and a new deviceId`);
    }
    case 'found': {
      if (answer['deviceId'] !== success.deviceId) {
        return fail(
          'wrong-state',
          `find_device answered deviceId ${printableJson(answer['deviceId'])}, asked for ${JSON.stringify(success.deviceId)}`,
          ['SP-FIND-DEVICE'],
          answer,
          code,
        );
      }
      if (answer['username'] !== undefined && answer['username'] !== success.username) {
        return fail(
          'wrong-state',
          `find_device says the device is ${printableJson(answer['username'])}'s; it is ${JSON.stringify(success.username)}'s`,
          ['SP-FIND-DEVICE'],
          answer,
          code,
        );
      }
      return ok('errorCode 0 and the device asked for');
    }
    case 'key-uri': {
      const source = context.keyUri ?? keyUriOf(answer);
      if (!source.found) {
        // Pixels that were not decoded cannot be judged further: said so, not passed silently.
        if (source.informational === true)
          return ok(`errorCode 0; Key URI not checked: ${source.reason}`, 'informational');
        return fail(
          source.category ?? 'schema-violation',
          `a success must carry the QR code's Key URI: ${source.reason}`,
          ['SP-KEYURI-FORMAT'],
          answer,
          code,
        );
      }
      const { problems: uriProblems, parsed: uri } = checkKeyUri(source.uri);
      const invalid = uriProblems.filter((p) => p.level === undefined);
      if (invalid.length > 0) {
        return fail(
          'schema-violation',
          `the Key URI in ${source.via} is not valid: ${invalid.map((p) => p.message).join('; ')}`,
          [...new Set(invalid.map((p) => p.requirement))],
          answer,
          code,
        );
      }
      // A key another device of the case was given: nothing mandatory says keys are per device (RFC 4226
      // section 7.5 recommends random keys, which never collide), so the verdict is non-strict, never a fail.
      const holder = uri === null || uri.key === '' ? undefined : context.deviceKeys?.get(uri.key);
      const sharedKey =
        holder !== undefined && success.deviceId !== undefined && holder !== success.deviceId
          ? `the Key URI in ${source.via} carries the key device ${JSON.stringify(holder)} was given: two devices ` +
            `share one secret (SP-KEYURI-OWN-KEY, RFC 4226 section 7.5 recommends a random key for each)`
          : null;
      const issued =
        uri !== null && uri.key !== '' && success.deviceId !== undefined
          ? { issued: { deviceId: success.deviceId, key: uri.key } }
          : {};
      const valid =
        `errorCode 0 and a valid Key URI in ${source.via} (${uri?.type}, issuer ${printableJson(uri?.issuer)}, ` +
        `${(uri?.secretBytes ?? 0) * 8}-bit key, ${uri?.algorithm}, ${uri?.digits} digits${uri?.period === null ? '' : `, ${uri?.period} s`})`;
      const should = uriProblems.filter((p) => p.level === 'should');
      const chosen = uriProblems.filter((p) => p.level === 'choice');
      const choices: Record<string, string> = Object.fromEntries(
        chosen.flatMap((p) => (p.choice ? [[p.choice.point, p.choice.option]] : [])),
      );
      // An algorithm spelt as the format spells it shows the first option (recorded when asked to).
      if (context.everyChoice === true && choices[ALGORITHM_CASE_CHOICE] === undefined && uri !== null) {
        const spelt = /[?&]algorithm=([^&#]*)/i.exec(source.uri)?.[1];
        if (spelt !== undefined && ['SHA1', 'SHA256', 'SHA512'].includes(spelt))
          choices[ALGORITHM_CASE_CHOICE] = PRIMARY_OPTIONS[ALGORITHM_CASE_CHOICE] as string;
      }
      const noted = (judgement: StepJudgement): StepJudgement =>
        Object.keys(choices).length === 0 ? { ...judgement, ...issued } : { ...judgement, ...issued, choices };
      const deviations = [...should.map((p) => p.message), ...(sharedKey === null ? [] : [sharedKey])];
      if (deviations.length > 0) {
        // Only what is recommended is broken: reported, but it does not fail the run.
        return noted({
          ...ok(`${valid}; but ${deviations.join('; ')}`, 'non-strict'),
          requirements: [
            ...new Set([
              ...should.map((p): string => p.requirement),
              ...(sharedKey === null ? [] : ['SP-KEYURI-OWN-KEY']),
            ]),
          ],
        });
      }
      if (chosen.length > 0) {
        return noted(ok(`${valid}; ${chosen.map((p) => p.message).join('; ')}`, 'informational'));
      }
      return noted(ok(valid));
    }
  }
}

/** A body in one line, quoted and escaped (a hostile body must not drive a terminal), at most 200 characters. */
function excerpt(body: string): string {
  if (body === '') return '(empty body)';
  return printable(body.replace(/\s+/g, ' ').trim(), 200);
}

/**
 * Every category this judge can produce, for docs/spec/verdict-audit.md and its test. Written as a record
 * over `SurePassIdCategory`, so the compiler rejects a new category that is not listed here.
 */
export const SUREPASSID_CATEGORIES = Object.keys({
  'server-error': true,
  'schema-violation': true,
  'wrong-result-code': true,
  'wrong-state': true,
} satisfies Record<SurePassIdCategory, true>) as SurePassIdCategory[];
