/**
 * `harness explain`: the model's derivation in words, rule by rule, with the requirement it applies and the
 * seed's words, then what each permitted outcome looks like. Passwords never appear: the URL's password
 * value and every saved password are shown as ***.
 */
import { redactUrlPassword } from '../../src/core/redact.ts';
import type { Route, Settings } from '../../protocols/openmobile/types.ts';
import { requirement } from './requirements.ts';
import { succeeded } from './judge.ts';
import type { Branch, DeliveryPrediction, DerivationLine, ModelState } from './types.ts';

const QUOTE_LENGTH = 110;

export interface DerivationContext {
  caseId: string;
  url: string;
  route: Route;
}

/** The URL with the value of every `password` parameter replaced by ***. */
export function redactPassword(url: string): string {
  return redactUrlPassword(url, '***');
}

const quotes = new Map<string, string>();
function shortQuote(quote: string): string {
  let short = quotes.get(quote);
  if (short === undefined) {
    const flat = quote.replace(/\s+/g, ' ').trim();
    short = flat.length <= QUOTE_LENGTH ? flat : `${flat.slice(0, QUOTE_LENGTH - 1).trimEnd()}…`;
    quotes.set(quote, short);
  }
  return short;
}

function ruleLines(derivation: readonly DerivationLine[], indent: string): string[] {
  const lines: string[] = [];
  for (const [i, line] of derivation.entries()) {
    const req = requirement(line.requirement);
    lines.push(`${indent}${i + 1}. [${req.id}, ${req.severity}] ${line.text}`);
    lines.push(`${indent}   seed (${req.source}): "${shortQuote(req.quote)}"`);
  }
  return lines;
}

function settingText(value: string | null): string {
  return value === null ? '(none)' : `"${value}"`;
}

function settingsText(settings: Settings): string {
  return [
    `username ${settingText(settings.username)}`,
    `password ${settings.password === null ? '(none)' : '***'}`,
    `domain ${settingText(settings.domain)}`,
    `prefix ${settingText(settings.prefix)}`,
    `autologin ${settings.autologin === null ? '(never set)' : settings.autologin ? 'Y' : 'N'}`,
  ].join(', ');
}

function stateText(state: ModelState): string {
  const profile =
    state.profile === null
      ? 'not activated'
      : `profile ${state.profile.id} (${state.profile.mode}, ${state.profile.platform})`;
  return `${profile}; ${settingsText(state.settings)}`;
}

function deliveryText(delivery: DeliveryPrediction, branch: Branch): string {
  if (!branch.handled)
    return 'nothing observable (no result, callback, dialog, notification; not brought to the foreground)';
  const code = branch.results.length === 1 ? String(branch.results[0]) : `one of ${branch.results.join(', ')}`;
  const channel =
    delivery.channel === 'broadcast'
      ? `broadcast client_x.android.prov.result EXTRA_RESULT=${code}`
      : delivery.channel === 'callback'
        ? `one callback ${delivery.callbackScheme ?? '?'}://provision?result=${code}`
        : delivery.channel === 'unusable-callback'
          ? `callback not judged (resulturlscheme ${JSON.stringify(delivery.callbackScheme)} is no URL scheme); a result, if reported, ${code}`
          : 'no result code';
  const dialog =
    delivery.dialog === 'outcome'
      ? `a ${succeeded(branch) ? 'success' : 'failure'} dialog`
      : delivery.dialog === 'none'
        ? 'no dialog'
        : 'dialog not specified';
  const foreground =
    delivery.foreground === 'any'
      ? 'foreground not specified'
      : delivery.foreground
        ? 'in the foreground'
        : 'stays in the background';
  const notification =
    delivery.notification === 'any'
      ? 'notification not specified'
      : delivery.notification
        ? 'a notification'
        : 'no notification';
  return `${channel}; ${dialog}; ${foreground}; ${notification}`;
}

function outcomeLines(branch: Branch, before: ModelState | null, indent: string): string[] {
  const lines: string[] = [];
  if (!branch.handled) {
    lines.push(`${indent}=> not handled`);
  } else {
    const results =
      branch.results.length === 1
        ? String(branch.results[0])
        : `any of ${branch.results.join(', ')} (one fixed order per target)`;
    lines.push(`${indent}=> result ${results}`);
  }
  if (branch.nonStrict !== null) lines.push(`${indent}   non-strict: ${branch.nonStrict}`);
  lines.push(`${indent}   delivery: ${deliveryText(branch.delivery, branch)}`);
  const unchanged = before !== null && branch.state === before;
  lines.push(`${indent}   state: ${unchanged ? 'unchanged: ' : ''}${stateText(branch.state)}`);
  return lines;
}

function choicesText(choices: Record<string, string>): string {
  const entries = Object.entries(choices);
  return entries.length === 0
    ? 'no implementation-defined choice'
    : entries.map(([id, option]) => `${id}=${option}`).join(', ');
}

/** Human-readable derivation of a prediction, one block per branch when there are several. */
export function formatDerivation(branches: Branch[], context: DerivationContext): string {
  const lines = [
    `${context.caseId} on ${context.route.platform} (${context.route.method} method)`,
    `  URL: ${redactPassword(context.url)}`,
  ];
  // A failing branch returns the input state object itself, which identifies "unchanged" without the input.
  const inputState = branches.find((b) => !b.handled || b.results[0] !== 0)?.state ?? null;
  if (branches.length === 1) {
    const only = branches[0];
    if (only === undefined) return lines.join('\n');
    lines.push(
      `  choices: ${choicesText(only.choices)}`,
      '  rules applied:',
      ...ruleLines(only.derivation, '    '),
      ...outcomeLines(only, inputState, '  '),
    );
    return lines.join('\n');
  }
  lines.push(`  ${branches.length} permitted outcomes, one per assignment of the implementation-defined choices:`);
  for (const [i, branch] of branches.entries()) {
    lines.push(
      '',
      `  outcome ${i + 1} of ${branches.length}: ${choicesText(branch.choices)}${branch.nonStrict === null ? '' : ' (non-strict)'}`,
    );
    lines.push(
      '    rules applied:',
      ...ruleLines(branch.derivation, '      '),
      ...outcomeLines(branch, inputState, '    '),
    );
  }
  return lines.join('\n');
}
