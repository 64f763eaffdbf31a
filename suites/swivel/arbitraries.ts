/**
 * fast-check generators of AgentXML request bodies, in four families (Schemathesis-style):
 * - valid: a provision or SecurityStrings request, elements in any order, with or without a RequestID;
 * - mutated: a valid request with one thing wrong (an element dropped, doubled, renamed or emptied, another
 *   Action, another root, an unknown element added);
 * - type-confused: values that are not plain text (a nested element, a number, a long value) or that are
 *   plain text written differently (CDATA, character references, attributes);
 * - malformed: not well-formed XML (truncated, mismatched tags, a stray & or <, garbage, a DOCTYPE).
 * Values name the fuzz fixture's users and tokens (`{{code}}` and friends, see fuzz.ts), so a generated body
 * can be right or wrong about the server's state, not just about its syntax.
 */
import fc from 'fast-check';
import { escapeXml } from './xml.ts';

export type BodyFamily = 'valid' | 'mutated' | 'type-confused' | 'malformed';

export interface GeneratedBody {
  family: BodyFamily;
  /** What was done, in words (for the report). */
  note: string;
  body: string;
}

type Element = { name: string; value: string; raw?: boolean };

/** The fixture (fuzz.ts): alice has a current device, a retired one and an outstanding code; bob has no device. */
export const FIXTURE_TOKENS = { code: '{{code}}', used: '{{used}}', device: '{{device}}', old: '{{old}}' } as const;

const username = fc.constantFrom('alice', 'alice', 'bob', 'qwerty');
const code = fc.oneof(
  { weight: 3, arbitrary: fc.constant(FIXTURE_TOKENS.code) },
  { weight: 1, arbitrary: fc.constant(FIXTURE_TOKENS.used) },
  { weight: 1, arbitrary: fc.stringMatching(/^[0-9]{8}$/) },
);
const device = fc.oneof(
  { weight: 3, arbitrary: fc.constant(FIXTURE_TOKENS.device) },
  { weight: 1, arbitrary: fc.constant(FIXTURE_TOKENS.old) },
  { weight: 1, arbitrary: fc.stringMatching(/^dev-[0-9a-f]{16}$/) },
);
const requestId = fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), { nil: undefined });

function shuffled(elements: Element[]): fc.Arbitrary<Element[]> {
  return fc.shuffledSubarray(elements, { minLength: elements.length, maxLength: elements.length });
}

const provision = fc
  .record({ username, code, requestId })
  .chain(({ username: u, code: c, requestId: r }) =>
    shuffled([
      { name: 'Version', value: '3.6' },
      { name: 'Action', value: 'provision' },
      { name: 'Username', value: u },
      { name: 'ProvisionCode', value: c },
      ...(r === undefined ? [] : [{ name: 'RequestID', value: r }]),
    ]),
  );

const strings = fc
  .record({ device, requestId })
  .chain(({ device: d, requestId: r }) =>
    shuffled([
      { name: 'Version', value: '3.6' },
      { name: 'Action', value: 'SecurityStrings' },
      { name: 'Id', value: d },
      ...(r === undefined ? [] : [{ name: 'RequestID', value: r }]),
    ]),
  );

const validElements = fc.oneof(provision, strings);

export function render(elements: readonly Element[], root = 'SASRequest'): string {
  return `<${root}>${elements.map((e) => `<${e.name}>${e.raw === true ? e.value : escapeXml(e.value)}</${e.name}>`).join('')}</${root}>`;
}

const valid: fc.Arbitrary<GeneratedBody> = validElements.map((els) => ({
  family: 'valid',
  note: 'valid',
  body: render(els),
}));

const mutated: fc.Arbitrary<GeneratedBody> = validElements.chain((els) =>
  fc.nat({ max: els.length - 1 }).chain((i) => {
    const target = els[i] as Element;
    const replace = (e: Element | null): Element[] => els.flatMap((x, j) => (j === i ? (e === null ? [] : [e]) : [x]));
    const m = (note: string, body: string): GeneratedBody => ({ family: 'mutated', note, body });
    return fc.oneof(
      fc.constant(m(`drop <${target.name}>`, render(replace(null)))),
      fc.constant(m(`double <${target.name}>`, render([...els, target]))),
      fc.constant(
        m(
          `rename <${target.name}> to <${target.name.toLowerCase()}>`,
          render(replace({ name: target.name.toLowerCase(), value: target.value })),
        ),
      ),
      fc.constant(m(`empty <${target.name}>`, render(replace({ name: target.name, value: '' })))),
      fc
        .constantFrom('Provision', 'PROVISION', 'securitystrings', 'delete', 'provision ')
        .map((a) =>
          m(`Action ${JSON.stringify(a)}`, render(els.map((e) => (e.name === 'Action' ? { ...e, value: a } : e)))),
        ),
      fc.constantFrom('SASResponse', 'sasrequest', 'Request').map((r) => m(`root <${r}>`, render(els, r))),
      fc.constant(m('unknown element added', render([...els, { name: 'DeviceInfo', value: 'Pixel 8' }]))),
      username.map((u) =>
        m(`Username ${u} added`, render([...els.filter((e) => e.name !== 'Username'), { name: 'Username', value: u }])),
      ),
    );
  }),
);

const typeConfused: fc.Arbitrary<GeneratedBody> = validElements.chain((els) =>
  fc.nat({ max: els.length - 1 }).chain((i) => {
    const target = els[i] as Element;
    const swap = (value: string, raw: boolean): Element[] =>
      els.map((e, j) => (j === i ? { name: e.name, value, raw } : e));
    const t = (note: string, body: string): GeneratedBody => ({ family: 'type-confused', note, body });
    return fc.oneof(
      fc.constant(
        t(`<${target.name}> holds an element`, render(swap(`<Value>${escapeXml(target.value)}</Value>`, true))),
      ),
      fc.integer().map((n) => t(`<${target.name}> is the number ${n}`, render(swap(String(n), false)))),
      fc.constant(t(`<${target.name}> as CDATA`, render(swap(`<![CDATA[${target.value}]]>`, true)))),
      fc.constant(
        t(
          `<${target.name}> as character references`,
          // A fixture token (`{{code}}`) stays as written: it is replaced by the real value before sending,
          // which character references would hide (the server would see the token itself).
          render(
            swap(
              target.value
                .split(/(\{\{[A-Za-z][A-Za-z0-9_-]*\}\})/)
                .map((part) =>
                  part.startsWith('{{') ? part : [...part].map((c) => `&#${c.codePointAt(0) ?? 0};`).join(''),
                )
                .join(''),
              true,
            ),
          ),
        ),
      ),
      fc.constant(
        t(
          `<${target.name}> with an attribute`,
          render(els).replace(`<${target.name}>`, `<${target.name} type="string">`),
        ),
      ),
      fc
        .string({ minLength: 200, maxLength: 2000 })
        .map((s) => t(`<${target.name}> is ${s.length} characters`, render(swap(s, false)))),
    );
  }),
);

const malformed: fc.Arbitrary<GeneratedBody> = validElements.chain((els) => {
  const body = render(els);
  const target = els[0] as Element;
  const f = (note: string, text: string): GeneratedBody => ({ family: 'malformed', note, body: text });
  return fc.oneof(
    fc.integer({ min: 0, max: body.length - 1 }).map((n) => f(`truncated to ${n} characters`, body.slice(0, n))),
    fc.constant(f('mismatched closing tag', body.replace(`</${target.name}>`, `</${target.name}x>`))),
    fc
      .constantFrom('&', '<', '&amp', '&nbsp;', ']]>')
      .map((c) => f(`${JSON.stringify(c)} in a value`, body.replace(`<${target.name}>`, `<${target.name}>${c}`))),
    fc.constant(f('two roots', `${body}${body}`)),
    fc.constant(f('text after the root', `${body}trailing`)),
    fc.constant(f('a DOCTYPE', `<!DOCTYPE SASRequest>${body}`)),
    fc
      .string({ unit: fc.constantFrom('a', '&', ';', '>', ' ', '=', '"', '1'), maxLength: 40 })
      .map((s) => f('garbage', s)),
  );
});

/** Every family, valid ones least often (they mostly repeat what the fixed vectors show). */
export const agentBody: fc.Arbitrary<GeneratedBody> = fc.oneof(
  { weight: 2, arbitrary: valid },
  { weight: 3, arbitrary: mutated },
  { weight: 3, arbitrary: typeConfused },
  { weight: 3, arbitrary: malformed },
);

export const bodyFamilies: Record<BodyFamily, fc.Arbitrary<GeneratedBody>> = {
  valid,
  mutated,
  'type-confused': typeConfused,
  malformed,
};
