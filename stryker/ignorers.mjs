/**
 * StrykerJS ignorers (docs/mutation.md, "Ignored mutants"): code of the reference implementations that is
 * not the behaviour a suite's plan tests. Ignored mutants are listed in the report with the reason and left
 * out of the score.
 *
 * `seeded-defects`: the seeded defects of the reference implementations are not their behaviour.
 *
 * Every reference carries seeded defects (drivers/emulated/defects.ts and the `defects.ts` beside each
 * reference server) that tests switch on to prove the harness catches them. On a reference target none is
 * on, so the code that only runs with a defect on is dead there, and a mutant of it is equivalent on every
 * reference target (docs/mutation.md, "Ignored: seeded defects"). This ignorer marks that code:
 *
 * - a defect probe: `<…defects>.has('<id>')`, the portal's `this.has('<id>')`, and the profile service's
 *   precomputed lookup flags (`this.defects.<flag>`, `d.<flag>` for the flags of LOOKUP_DEFECT_FLAGS);
 * - a defect guard: a probe, or an `&&` chain with a probe among its operands (false while no defect is on),
 *   together with what it guards: the `then` branch of an `if` and the `?` branch of a conditional.
 *
 * The same holds for the conformant variants (`<…variants>.has('<id>')`: permitted behaviour that tests switch
 * on to prove the harness accepts it), ignored with their own reason.
 *
 * A negated probe (`!this.defects.has('code-reusable')`) is left alone: the code it guards is the reference
 * behaviour, and `!P` mutated to `P` switches the defect on, which the plan must notice.
 */
import path from 'node:path';
import { commonTokens, declareClassPlugin, declareValuePlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';

/** The profile service's lookup defects, read once into flags (drivers/emulated/profile-service.ts). */
const LOOKUP_DEFECT_FLAGS = new Set([
  'emptyPinNotNone',
  'pinCaseInsensitive',
  'pinOptional',
  'finderNonFavorite',
  'testFallsBack',
]);

const REASON = 'seeded defect: runs only with a defect switched on, never on a reference target (docs/mutation.md)';

const VARIANT_REASON =
  'conformant variant: runs only with a variant of permitted behaviour switched on (its own tests), never on a reference target (docs/mutation.md)';

function isReceiver(node, name) {
  if (node.type === 'Identifier') return node.name === name;
  return node.type === 'MemberExpression' && !node.computed && node.property.name === name;
}

/** The reason a probe of a seeded defect or of a conformant variant is dead on a reference target, or none. */
function probeReason(node) {
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && !node.callee.computed) {
    const { object, property } = node.callee;
    if (property.name !== 'has' || node.arguments.length !== 1) return undefined;
    if (isReceiver(object, 'defects')) return REASON;
    if (isReceiver(object, 'variants')) return VARIANT_REASON;
    // Portal: `private has(id) { return this.defects.has(id); }`, called as this.has('<defect id>').
    return object.type === 'ThisExpression' && node.arguments[0].type === 'StringLiteral' ? REASON : undefined;
  }
  if (node.type === 'MemberExpression' && !node.computed && LOOKUP_DEFECT_FLAGS.has(node.property.name)) {
    const { object } = node;
    return isReceiver(object, 'defects') || (object.type === 'Identifier' && object.name === 'd') ? REASON : undefined;
  }
  return undefined;
}

/**
 * `leaf(node)`'s reason for `node`, or for an `&&` chain (parenthesised or not) one of whose operands has one:
 * such a chain is false whenever that operand is.
 */
function chainReason(node, leaf) {
  if (node.type === 'ParenthesizedExpression') return chainReason(node.expression, leaf);
  const own = leaf(node);
  if (own !== undefined) return own;
  if (node.type !== 'LogicalExpression' || node.operator !== '&&') return undefined;
  return chainReason(node.left, leaf) ?? chainReason(node.right, leaf);
}

/** False whenever no defect or variant is on: a probe, or an `&&` chain with one among its operands. */
function guardReason(node) {
  return chainReason(node, probeReason);
}

export const seededDefectsIgnorer = {
  shouldIgnore(path) {
    const { node, parent } = path;
    const own = guardReason(node);
    if (own !== undefined) return own;
    if (parent === null || parent === undefined) return undefined;
    if (parent.type === 'IfStatement' && path.key === 'consequent') return guardReason(parent.test);
    if (parent.type === 'ConditionalExpression' && path.key === 'consequent') return guardReason(parent.test);
    return undefined;
  },
};

/**
 * `choice-picks`: which option an Open Mobile client picks at a choice point. Where the specification leaves
 * a behaviour open (docs/spec/verdict-audit.md), every option is conformant and the suite accepts whichever
 * a client makes, consistently: a mutant that picks another option is conformant by design. Marked: a
 * platform's `defaultPicks` (the options it picks), a comparison of a pick (`rules.repeated === 'first'`,
 * `this.picks.flagValue === 'N'`, percentDecode's `malformed === 'raw'`), and an `&&` chain with one among
 * its operands (which the mutants turn into the other option's branch). What the chosen branch does is not
 * marked: the plan judges it.
 */
const CHOICE_FIELDS = new Set([
  'plus',
  'repeated',
  'bareName',
  'malformed',
  'names',
  'semicolon',
  'nameCase',
  'lowercaseBooleans',
  'flagValue',
  'pidNonDecimal',
  'pidAbsentFresh',
  'obfuscationUndecodable',
  'astralLength',
  'serviceOffline',
]);

const CHOICE_REASON =
  'permitted: which option the client picks at a choice point the specification leaves open (docs/spec/verdict-audit.md); every option is conformant, so another pick is too (docs/mutation.md)';

function isPick(node) {
  if (node.type === 'Identifier') return node.name === 'malformed';
  if (node.type !== 'MemberExpression' || node.computed || !CHOICE_FIELDS.has(node.property.name)) return false;
  const { object } = node;
  if (object.type === 'Identifier') return object.name === 'rules' || object.name === 'picks';
  return object.type === 'MemberExpression' && !object.computed && ['picks', 'query'].includes(object.property.name);
}

/** A comparison of a pick (`===` or `!==`). */
function pickTestReason(node) {
  const comparison = node.type === 'BinaryExpression' && (node.operator === '===' || node.operator === '!==');
  return comparison && (isPick(node.left) || isPick(node.right)) ? CHOICE_REASON : undefined;
}

export const choicePicksIgnorer = {
  shouldIgnore(path) {
    const test = chainReason(path.node, pickTestReason);
    if (test !== undefined) return test;
    const picks = path.findParent?.(
      (p) =>
        (p.node.type === 'ClassProperty' || p.node.type === 'PropertyDefinition') &&
        p.node.key?.name === 'defaultPicks',
    );
    return picks ? CHOICE_REASON : undefined;
  },
};

/**
 * `untestable`: what the config's `harness.untestable` names, each with its reason: a function, method or
 * class (`"function": "hook"`), the value of an object property (`"property": "message"`), the arguments
 * of calls to a function or constructor (`"argumentsOf": "fail"`, also `new Fail(…)`; with `"argument": n`
 * only the n-th, counted from 0), or the code from the first line containing one text to the first line
 * containing another (`"between": ["<from>", "<to>"]`, the second line not included), in one file. For code
 * no plan can observe: the test hooks' answers the driver never reads, human-readable text, server start-up.
 */
class UntestableIgnorer {
  static inject = tokens(commonTokens.options);

  constructor(options) {
    this.rules = (options.harness?.untestable ?? []).map((rule) => ({ ...rule, file: path.resolve(rule.file) }));
    this.cache = new Map();
  }

  /** The lines of a `between` rule's two markers: the first line containing each (1-based). */
  markers(rule, file, code) {
    const key = `${file}\u0000${rule.between[0]}\u0000${rule.between[1]}`;
    let found = this.cache.get(key);
    if (found === undefined) {
      const lines = typeof code === 'string' ? code.split('\n') : [];
      const lineOf = (text) => {
        const index = lines.findIndex((l) => l.includes(text));
        return index < 0 ? undefined : index + 1;
      };
      found = [lineOf(rule.between[0]), lineOf(rule.between[1])];
      this.cache.set(key, found);
    }
    return found;
  }

  shouldIgnore(nodePath) {
    if (this.rules.length === 0) return undefined;
    const filename = nodePath.hub?.file?.opts?.filename;
    if (typeof filename !== 'string') return undefined;
    const file = path.resolve(filename);
    const { node, parent } = nodePath;
    for (const rule of this.rules) {
      if (rule.file !== file) continue;
      if (rule.function !== undefined && nameOf(node) === rule.function) return rule.reason;
      if (rule.between !== undefined && node.loc) {
        const [from, to] = this.markers(rule, file, nodePath.hub.file.code);
        if (from !== undefined && to !== undefined && node.loc.start.line >= from && node.loc.end.line < to) {
          return rule.reason;
        }
      }
      if (
        rule.argumentsOf !== undefined &&
        (parent?.type === 'CallExpression' || parent?.type === 'NewExpression') &&
        nodePath.listKey === 'arguments' &&
        calleeName(parent.callee) === rule.argumentsOf &&
        (rule.argument === undefined || nodePath.key === rule.argument)
      ) {
        return rule.reason;
      }
      if (
        rule.property !== undefined &&
        parent?.type === 'ObjectProperty' &&
        nodePath.key === 'value' &&
        !parent.computed &&
        (parent.key.name ?? parent.key.value) === rule.property
      ) {
        return rule.reason;
      }
    }
    return undefined;
  }
}

/** `f` of `f(…)`, `this.f(…)` and `new f(…)`. */
function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name;
  if (callee.type === 'MemberExpression' && !callee.computed) return callee.property.name;
  return undefined;
}

/** The name a function, method, class or `const f = () => …` declares, if any. */
function nameOf(node) {
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      return node.id?.name;
    case 'ClassMethod':
    case 'ClassPrivateMethod':
    case 'ObjectMethod':
      return node.key.type === 'PrivateName' ? node.key.id.name : node.key.name;
    case 'VariableDeclarator':
      return node.init?.type === 'ArrowFunctionExpression' || node.init?.type === 'FunctionExpression'
        ? node.id.name
        : undefined;
    default:
      return undefined;
  }
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'seeded-defects', seededDefectsIgnorer),
  declareValuePlugin(PluginKind.Ignore, 'choice-picks', choicePicksIgnorer),
  declareClassPlugin(PluginKind.Ignore, 'untestable', UntestableIgnorer),
];
