/**
 * The implementation-defined choice points of the Open Mobile reading (docs/openmobile-reading-notes.md,
 * "Choice points"). A target may pick any option; the model enumerates every option it reaches.
 */
import type { ChoicePoint } from './types.ts';

export const CHOICE_POINTS: readonly ChoicePoint[] = [
  {
    id: 'OM-CHOICE-IOS-PROVISION-COM',
    title: 'iOS: host provision.com',
    options: ['handled', 'not-handled'],
    reading: "Reading 1: the seed's own iOS silent-mode and obfuscation examples use `iPass://provision.com`.",
  },
  {
    id: 'OM-CHOICE-IOS-HOST-CASE',
    title: 'iOS: host provision in another letter case',
    options: ['handled', 'not-handled'],
    reading: 'Reading 1: `ipass` is handled in any case; the seed is silent on the host.',
  },
  {
    id: 'OM-CHOICE-ANDROID-URL-CASE',
    title: 'Android URL method: scheme or host in another letter case',
    options: ['handled', 'not-handled'],
    reading: 'Reading 1: the seed only shows `clientx://provision.com`.',
  },
  {
    id: 'OM-CHOICE-INTENT-PROVISION-COM',
    title: 'Android intent method: host provision.com',
    options: ['handled', 'not-handled'],
    reading: 'Reading 1: ".com" is not required in the intent method; the seed does not say it is refused.',
  },
  {
    id: 'OM-CHOICE-INTENT-CASE',
    title: 'Android intent method: scheme or host in another letter case',
    options: ['handled', 'not-handled'],
    reading: 'Reading 1: the seed only shows `clientx://provision`.',
  },
  {
    id: 'OM-CHOICE-PATH',
    title: 'A path after the host (`clientx://provision.com/x?...`)',
    options: ['not-handled', 'handled'],
    reading: 'The seed never shows a path; a client may refuse such a URL or ignore the path.',
  },
  {
    id: 'OM-CHOICE-PLUS',
    title: 'A literal + in a value',
    options: ['literal', 'space'],
    reading: "Reading 2: literal `+`, or a space as Android's Uri.getQueryParameter does.",
  },
  {
    id: 'OM-CHOICE-REPEATED',
    title: 'A parameter given twice',
    options: ['first', 'last'],
    reading: 'Reading 2: a repeated parameter is implementation-defined (first wins, or last wins).',
  },
  {
    id: 'OM-CHOICE-ENCODED-NAME',
    title: 'A percent-encoded parameter name (pass%77ord, %70id)',
    options: ['decoded', 'literal'],
    reading:
      'The seed is silent on escapes in a name; the reading decodes values. decoded: the name is percent-decoded ' +
      'like a value (NSURLComponents queryItems, Uri.getQueryParameterNames), so pass%77ord is password; literal: ' +
      'names are matched as written (Uri.getQueryParameter compares the encoded key), so it is an unknown parameter.',
  },
  {
    id: 'OM-CHOICE-IOS-NAME-CASE',
    title: 'iOS: a parameter name in another letter case (PID, Password)',
    options: ['sensitive', 'insensitive'],
    reading:
      'Only the Android URL format says its parameters "are case-sensitive"; the iOS format (Table 1) says nothing ' +
      'of letter case. sensitive: PID is an unknown parameter, as on Android; insensitive: PID is pid.',
  },
  {
    id: 'OM-CHOICE-SEMICOLON',
    title: 'A ; in the query (pid=9945;username=a)',
    options: ['literal', 'separator'],
    reading:
      'The seed shows & between parameters and nothing else. literal: ; is part of the value or name (RFC 3986, ' +
      'NSURLComponents, android.net.Uri); separator: ; separates parameters as & does (the HTML 4 recommendation, ' +
      'older CGI parsers).',
  },
  {
    id: 'OM-CHOICE-BARE-NAME',
    title: 'A parameter without = (&pin&)',
    options: ['empty', 'absent'],
    reading: 'The seed and the reading are silent on a name without a value.',
  },
  {
    id: 'OM-CHOICE-MALFORMED-ENCODING',
    title: 'Malformed percent-encoding or percent-decoded bytes that are not UTF-8',
    options: ['lenient', 'not-handled', 'raw', 'reject'],
    reading:
      'The seed is silent. lenient keeps a bad % literally and turns bad bytes into U+FFFD (as WHATWG ' +
      'URLSearchParams does); raw keeps the whole value as written (removingPercentEncoding ?? value, a caught ' +
      'decodeURIComponent); reject fails the request with a result code (OM-CHOICE-MALFORMED-REJECT-CODE); ' +
      'not-handled rejects the URL before it reaches the facility.',
  },
  {
    id: 'OM-CHOICE-MALFORMED-REJECT-CODE',
    title: 'The result code of a request rejected for a value that does not percent-decode',
    options: ['parameter', '2'],
    reading:
      'Derived from OM-CHOICE-MALFORMED-ENCODING=reject; the seed has no code for it. parameter: the code Table 4 ' +
      'gives an unacceptable value of that parameter (pid 10; test, autologin, silentmode, obfuscation 11; ' +
      'username, password 23; domain 20; prefix 21; pin and resulturlscheme, which have none, 2). 2: "an ' +
      'unexpected internal error" for every parameter (a decoder that throws, caught once).',
  },
  {
    id: 'OM-CHOICE-PID-NONDECIMAL',
    title: 'pid present, non-empty, not a decimal number',
    options: ['10', '33'],
    reading: 'Reading 2: `pid` not a decimal number: 10 or 33 (choice).',
  },
  {
    id: 'OM-CHOICE-PID-ABSENT-FRESH',
    title: 'No pid on an app never activated',
    options: ['10', '33'],
    reading: 'Reading 2: `pid` absent on an app never activated: 10 or 33 (choice).',
  },
  {
    id: 'OM-CHOICE-BOOL-LOWERCASE',
    title: 'test or autologin as y / n',
    options: ['accept', '11'],
    reading: "Reading 2: lower-case y/n is a choice (accept, or 11): the seed's own intent example uses `test=y`.",
  },
  {
    id: 'OM-CHOICE-FLAG-VALUE',
    title: 'silentmode or obfuscation other than Y / N',
    options: ['11', 'N'],
    reading: 'Reading 2: `silentmode` and `obfuscation` with other values: a choice (11, or treated as N).',
  },
  {
    id: 'OM-CHOICE-OBFUSCATION-UNDECODABLE',
    title: 'obfuscation=Y and a password that does not decode',
    options: ['23', '2'],
    reading: 'Reading 2: a password that does not decode: 2 or 23 (choice).',
  },
  {
    id: 'OM-CHOICE-ASTRAL-LENGTH',
    title: 'Characters outside the BMP in a length limit',
    options: ['code-points', 'utf16'],
    reading: 'Reading 2: astral characters (emoji) may be counted as two UTF-16 units: a choice.',
  },
  {
    id: 'OM-CHOICE-IOS-SILENTMODE',
    title: 'silentmode=Y on iOS',
    options: ['ignored', 'honoured'],
    reading: 'Reading 7: on iOS `silentmode` is a choice (ignored, or honoured); the seed says it is Android only.',
  },
  {
    id: 'OM-CHOICE-SERVICE-OFFLINE',
    title: 'The profile service drops the connection before answering (device online)',
    options: ['30', '32'],
    reading: 'docs/profile-service.md: communication interrupted (30) or no connection (32).',
  },
  {
    id: 'OM-CHOICE-SERVICE-STATUS',
    title: 'The profile service answers an HTTP status the adapter protocol gives no meaning (not 200, 404 or 5xx)',
    options: ['2', '31', '33', '30'],
    reading:
      'The adapter protocol maps 404 to 33 and a 5xx to 31, nothing else: any failure code whose text fits an ' +
      'answer the client cannot use (2 an unexpected error, 31 the service reported an error, 33 no profile ' +
      'selected, 30 communication failed), decided per status.',
    per: 'HTTP status',
  },
];

const OPTIONS = new Map<string, readonly string[]>(CHOICE_POINTS.map((point) => [point.id, point.options]));

/** The permitted options of a choice point, first = default; throws on an unknown id. */
export function optionsOf(pointId: string): readonly string[] {
  const options = OPTIONS.get(pointId);
  if (options === undefined)
    throw new Error(`unknown Open Mobile choice point "${pointId}" (see suites/openmobile/choices.ts)`);
  return options;
}

/** The choice point with this id; throws on an unknown id. */
export function choicePoint(pointId: string): ChoicePoint {
  const point = CHOICE_POINTS.find((p) => p.id === pointId);
  if (point === undefined)
    throw new Error(`unknown Open Mobile choice point "${pointId}" (see suites/openmobile/choices.ts)`);
  return point;
}

/**
 * How the model asks for an implementation-defined choice. Asking the same point twice in one prediction
 * returns the same option: a target picks one option and keeps it.
 */
export type Chooser = (pointId: string, options: readonly string[]) => string;

/**
 * The points a target may answer another way for each value of an input (`per`, an HTTP status): the
 * run-level consistency checks (a run's, the fuzzer's) do not hold a target to one option at them.
 */
export const PER_VALUE_POINTS: ReadonlySet<string> = new Set(
  CHOICE_POINTS.filter((p) => p.per !== undefined).map((p) => p.id),
);
