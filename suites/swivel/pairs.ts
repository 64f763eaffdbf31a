/**
 * Stateful pairs: every ordered pair of the operations that change a Swivel server's state (a code issued,
 * used, re-issued, self-provisioned, tried wrong or for another user; the policy changed, or a change
 * refused), from two starting states, each followed by the checks that observe the whole state: the policy
 * read back, every device id the user ever had (only the current one has security strings), every code
 * issued to either user that is spent or replaced (refused), then each user's outstanding code (accepted). A server whose state changes depend on what happened before (a policy
 * change that drops outstanding codes, one code per server instead of per user, a flag read once) fails
 * one of these without any fuzzing.
 *
 * The expectations come from this file's own small oracle ({@link Oracle}), written from the readings in
 * docs/swivel.md, not from the suite's model; the loader checks every generated vector against the model as
 * it checks a vector file, so the two must agree. Only behaviour the readings fix is asserted: no clock, no
 * expiry, no cluster.
 */
import type { AgentError, Step, Vector } from './types.ts';

/** The operations paired, by the name their case ids use. */
export const PAIR_OPERATIONS = [
  'issue',
  'self',
  'use',
  'wrong',
  'cross',
  'issue-other',
  'self-on',
  'self-off',
  'validity',
  'bad-policy',
] as const;
export type PairOperation = (typeof PAIR_OPERATIONS)[number];

/** Where a pair starts: a fresh user with a code, or a provisioned user with a new code. */
export const PAIR_STARTS = ['code', 'device-code'] as const;
export type PairStart = (typeof PAIR_STARTS)[number];

const WRONG_CODE = '00000000';
const INVALID_CODE: AgentError = 'AGENT_ERROR_INVALID_PROVISION_CODE';
const NOT_PROVISIONED: AgentError = 'AGENT_ERROR_NOT_PROVISIONED';

interface Person {
  /** The code the user may use now (its name), or null. */
  outstanding: string | null;
  /** Every code issued to the user, in order. */
  codes: string[];
  /** The current device, or null. */
  device: string | null;
  /** Every device the user was given, in order. */
  devices: string[];
}

/**
 * The pairs' own oracle: a user may use only the last code issued to them, once; a successful provision
 * makes the new device the only one with security strings; a failed request changes nothing; issuing a
 * code retires no device; the policy changes only when every value of the change is allowed, and a policy
 * change leaves issued codes alone; self-provisioning issues a code only while it is allowed.
 */
class Oracle {
  readonly steps: Step[] = [];
  readonly requirements = new Set<string>();
  private count = 0;
  readonly alice: Person = { outstanding: null, codes: [], device: null, devices: [] };
  readonly bob: Person = { outstanding: null, codes: [], device: null, devices: [] };
  policy = { validitySeconds: 600, selfProvisioning: false, logDeviceInformation: false };

  private name(prefix: string): string {
    this.count += 1;
    return `${prefix}${this.count}`;
  }

  private person(username: 'alice' | 'bob'): Person {
    return username === 'alice' ? this.alice : this.bob;
  }

  user(username: 'alice' | 'bob'): void {
    this.steps.push({ do: 'create-user', username });
  }

  issue(username: 'alice' | 'bob'): void {
    const p = this.person(username);
    const as = this.name(username === 'alice' ? 'a' : 'b');
    this.steps.push({ do: 'issue-code', username, as, expect: 'issued' });
    p.outstanding = as;
    p.codes.push(as);
  }

  selfProvision(): void {
    this.requirements.add('SW-SELF-PROVISION-ALLOWED');
    if (!this.policy.selfProvisioning) {
      this.requirements.add('SW-SELF-PROVISION-DEFAULT-OFF');
      this.steps.push({ do: 'self-provision', username: 'alice', expect: 'refused' });
      return;
    }
    const as = this.name('s');
    this.steps.push({ do: 'self-provision', username: 'alice', as, expect: 'issued' });
    this.alice.outstanding = as;
    this.alice.codes.push(as);
  }

  /** A provision of `username` with the code named `code` (a literal when `literal`). */
  provision(username: 'alice' | 'bob', code: string, literal = false): void {
    const p = this.person(username);
    if (!literal && code === p.outstanding) {
      const as = this.name('d');
      this.steps.push({ do: 'provision', username, code: { ref: code }, as, expect: { result: 'PASS' } });
      this.requirements.add('SW-DEVICE-ONE-PER-USER');
      if (p.device !== null) this.requirements.add('SW-REPROVISION-INVALIDATES');
      p.outstanding = null;
      p.device = as;
      p.devices.push(as);
      return;
    }
    this.steps.push({
      do: 'provision',
      username,
      code: literal ? code : { ref: code },
      expect: { result: 'FAIL', error: INVALID_CODE },
    });
    this.requirements.add('SW-ERR-INVALID-CODE').add('SW-FAIL-NO-STATE-CHANGE');
    if (!literal && this.person(username === 'alice' ? 'bob' : 'alice').codes.includes(code))
      this.requirements.add('SW-CODE-OWN-USER');
    else if (!literal) this.requirements.add('SW-CODE-ONCE');
  }

  strings(device: string, owner: Person): void {
    if (owner.device === device) {
      this.steps.push({ do: 'security-strings', device: { ref: device }, expect: { result: 'PASS' } });
      return;
    }
    this.steps.push({
      do: 'security-strings',
      device: { ref: device },
      expect: { result: 'FAIL', error: NOT_PROVISIONED },
    });
    this.requirements.add('SW-ERR-OLD-DEVICE').add('SW-STRINGS-NEED-PROVISION');
  }

  setPolicy(change: Record<string, unknown>): void {
    this.requirements.add('SW-POLICY-VALIDITY');
    const validity = change['validitySeconds'];
    const allowed = validity === undefined || (typeof validity === 'number' && validity >= 10 && validity <= 1_000_000);
    this.steps.push({ do: 'set-policy', policy: change, expect: allowed ? 'accepted' : 'rejected' });
    if (allowed) this.policy = { ...this.policy, ...change };
  }

  /** Everything the server's state shows, read or tried; the outstanding codes are used last. */
  checks(): void {
    this.steps.push({ do: 'check-policy', expect: { ...this.policy } });
    for (const device of this.alice.devices) this.strings(device, this.alice);
    for (const code of this.alice.codes) if (code !== this.alice.outstanding) this.provision('alice', code);
    for (const code of this.bob.codes) if (code !== this.bob.outstanding) this.provision('bob', code);
    if (this.alice.outstanding !== null) this.provision('alice', this.alice.outstanding);
    if (this.bob.outstanding !== null) this.provision('bob', this.bob.outstanding);
  }

  apply(op: PairOperation): void {
    switch (op) {
      case 'issue':
        return this.issue('alice');
      case 'self':
        return this.selfProvision();
      case 'use':
        // The code the user was given last: spent or replaced when none is outstanding.
        return this.provision('alice', this.alice.outstanding ?? (this.alice.codes.at(-1) as string));
      case 'wrong':
        return this.provision('alice', WRONG_CODE, true);
      case 'cross':
        return this.provision('alice', this.bob.outstanding ?? (this.bob.codes.at(-1) as string));
      case 'issue-other':
        return this.issue('bob');
      case 'self-on':
        return this.setPolicy({ selfProvisioning: true });
      case 'self-off':
        return this.setPolicy({ selfProvisioning: false });
      case 'validity':
        return this.setPolicy({ validitySeconds: 120 });
      case 'bad-policy':
        return this.setPolicy({ validitySeconds: 5 });
    }
  }
}

const START_TITLES: Record<PairStart, string> = {
  code: 'a user holding a code',
  'device-code': 'a provisioned user holding a new code',
};

const OPERATION_TITLES: Record<PairOperation, string> = {
  issue: 'a new code issued',
  self: 'a self-provision',
  use: 'the code used',
  wrong: 'a wrong code tried',
  cross: "the other user's code tried",
  'issue-other': 'a new code for the other user',
  'self-on': 'self-provisioning allowed',
  'self-off': 'self-provisioning disallowed',
  validity: 'the validity period changed',
  'bad-policy': 'a validity period out of range refused',
};

/** The vector of one ordered pair from one start. */
export function pairVector(start: PairStart, first: PairOperation, second: PairOperation): Vector {
  const o = new Oracle();
  o.user('alice');
  o.user('bob');
  o.issue('bob');
  if (start === 'device-code') {
    o.issue('alice');
    o.provision('alice', o.alice.outstanding as string);
  }
  o.issue('alice');
  o.apply(first);
  o.apply(second);
  o.checks();
  return {
    id: `sw:gen-pair-${start}-${first}-then-${second}`,
    title: `From ${START_TITLES[start]}: ${OPERATION_TITLES[first]}, then ${OPERATION_TITLES[second]}; the whole state checked after`,
    area: 'stateful-pairs',
    requirements: [...o.requirements].sort(),
    steps: o.steps,
  };
}

/** Every ordered pair of {@link PAIR_OPERATIONS} (an operation twice included), from every start. */
export function buildPairVectors(): Vector[] {
  const vectors: Vector[] = [];
  for (const start of PAIR_STARTS)
    for (const first of PAIR_OPERATIONS)
      for (const second of PAIR_OPERATIONS) vectors.push(pairVector(start, first, second));
  return vectors;
}
