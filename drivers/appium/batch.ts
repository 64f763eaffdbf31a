/**
 * A batch of Appium commands sent in one request: a driver script (`POST /session/:id/appium/execute_driver`,
 * WebdriverIO `executeDriverScript`) that the Appium server runs with a WebdriverIO `driver` attached to the
 * same session. Each command still goes from the server to the phone; what the batch saves is the round trip
 * between the harness and the server for every command but one (the hop a device farm charges most for).
 *
 * Real servers offer it through the execute-driver plugin (`appium plugin install execute-driver`, then
 * `appium --use-plugins=execute-driver --allow-insecure=<automationName>:execute_driver_script`); the virtual
 * device implements the same route itself. A server without it refuses the first batch, and the session
 * sends single commands from then on (`AppiumSession`).
 *
 * The script is the same text for every batch: the commands come as JSON data in its first line, so the
 * harness never builds code from a URL or a page source.
 */
import type { AppiumBrowser } from './commands.ts';
import type { Selector } from './page-source.ts';

/** One command of a batch, named as WebdriverIO's browser names it. */
export type BatchCommand =
  | { method: 'execute'; args: [string, Record<string, unknown>] }
  | { method: 'getPageSource'; args: [] }
  | { method: 'getLogs'; args: [string] }
  | { method: 'acceptAlert'; args: [] };

export interface BatchStep {
  call: BatchCommand;
  /** An error ends the batch here (the later commands are not sent). */
  stopOnError?: boolean;
  /** Sent only if the page source that step `source` of this batch answered shows an element of `selectors`. */
  ifShown?: { source: number; selectors: Selector[] };
}

/** What each step answered; null where it was not sent. */
export type BatchAnswer = { value: unknown } | { error: string } | null;

const PLAN_START = '/*harness-batch*/ const plan = ';
const PLAN_END = ';\n';

/**
 * The script's body. `shows` finds an element the way page-source.ts's parseSource and findFirst do (start
 * tags, attributes, the five named and the numeric entities; test/drivers/appium/batch.test.ts checks it
 * against them).
 */
const BODY = String.raw`
const TAG = /<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/g;
const ATTRIBUTE = /([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const NAMED = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (t) => !t.includes('&') ? t : t.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e) =>
  e.startsWith('#x') ? String.fromCodePoint(parseInt(e.slice(2), 16)) :
  e.startsWith('#') ? String.fromCodePoint(parseInt(e.slice(1), 10)) : NAMED[e] ?? '');
const shows = (xml, selectors) => {
  for (const m of String(xml).matchAll(TAG)) {
    const attributes = {};
    for (const a of (m[2] ?? '').matchAll(ATTRIBUTE)) attributes[a[1]] = decode(a[2] ?? a[3] ?? '');
    for (const s of selectors) {
      if (s.tag !== undefined && m[1] !== s.tag) continue;
      const v = attributes[s.attribute];
      if (v !== undefined && (s.match === 'contains' ? v.includes(s.value) : v === s.value)) return true;
    }
  }
  return false;
};
const out = plan.map(() => null);
for (let i = 0; i < plan.length; i++) {
  const step = plan[i];
  if (step.ifShown) {
    const source = out[step.ifShown.source];
    if (!source || !('value' in source) || !shows(source.value, step.ifShown.selectors)) continue;
  }
  try {
    const value = await driver[step.call.method](...step.call.args);
    out[i] = { value: value === undefined ? null : value };
  } catch (error) {
    out[i] = { error: String((error && error.message) || error) };
    if (step.stopOnError) break;
  }
}
return out;
`;

/** The driver script of a batch. */
export function batchScript(steps: readonly BatchStep[]): string {
  return `${PLAN_START}${JSON.stringify(steps)}${PLAN_END}${BODY}`;
}

/** The steps of a batch script (for the bench's count of what the server sent); null for another script. */
export function batchSteps(script: string): BatchStep[] | null {
  if (!script.startsWith(PLAN_START)) return null;
  const end = script.indexOf(PLAN_END);
  return JSON.parse(script.slice(PLAN_START.length, end)) as BatchStep[];
}

/** What `executeDriverScript` answers (`{ result, logs }`), checked to be this batch's answers. */
export function batchAnswers(steps: readonly BatchStep[], answer: unknown): BatchAnswer[] {
  const result = (answer as { result?: unknown } | null)?.result;
  if (
    !Array.isArray(result) ||
    result.length !== steps.length ||
    !result.every((r) => r === null || (typeof r === 'object' && ('value' in r || 'error' in r)))
  )
    throw new Error(`the driver script answered ${JSON.stringify(answer)?.slice(0, 200)}, not one answer per command`);
  return result as BatchAnswer[];
}

/** The commands of a batch the server sent: each step that answered. */
export function sentCommands(steps: readonly BatchStep[], answers: readonly BatchAnswer[]): BatchCommand[] {
  return steps.filter((_, i) => answers[i] !== null && answers[i] !== undefined).map((s) => s.call);
}

/**
 * The server has no driver scripts (no such route, the plugin not active, the insecure feature not
 * allowed, a WebdriverIO without the command): nothing of the batch ran, and single commands will do.
 */
export function isBatchRefused(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return /unknown command|not (yet )?implemented|could not be found|resource could not be found|allow-insecure|execute_driver_script|executeDriverScript is not a function|unknown method/i.test(
    text,
  );
}

/** The value of a step that answered, or its error thrown as the single command would have thrown it. */
export function valueOf(answer: BatchAnswer | undefined): unknown {
  if (answer === null || answer === undefined) throw new Error('internal: a batch step that was not sent was read');
  if ('error' in answer) throw new Error(answer.error);
  return answer.value;
}

/**
 * The command that `send` sends, as a batch step: `send` runs against a browser that only records, so a
 * batch holds exactly the command and arguments commands.ts sends on its own.
 */
export function batched(send: (b: AppiumBrowser) => Promise<unknown>): BatchCommand {
  let call: BatchCommand | null = null;
  const done = () => Promise.resolve(null);
  const recorder: AppiumBrowser = {
    execute: (script, ...args) => {
      call = { method: 'execute', args: [script, (args[0] ?? {}) as Record<string, unknown>] };
      return done();
    },
    getPageSource: () => {
      call = { method: 'getPageSource', args: [] };
      return Promise.resolve('');
    },
    getLogs: (type) => {
      call = { method: 'getLogs', args: [type] };
      return Promise.resolve([]);
    },
    acceptAlert: () => {
      call = { method: 'acceptAlert', args: [] };
      return done();
    },
    takeScreenshot: () => Promise.reject(new Error('not batched')),
    findElement: () => Promise.reject(new Error('not batched')),
    elementClick: () => Promise.reject(new Error('not batched')),
    deleteSession: () => Promise.reject(new Error('not batched')),
  };
  void send(recorder).catch(() => undefined);
  if (call === null) throw new Error('internal: the command to batch sent nothing synchronously');
  return call;
}
