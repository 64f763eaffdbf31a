/**
 * Seeded defects of the Swivel reference server (driver option `defects`): realistic server bugs the suite
 * must catch. Each is a small change guarded by `defects.has('<id>')` in server.ts.
 */
export const SWIVEL_DEFECTS = [
  { id: 'code-reusable', title: 'A provision code is not consumed by a successful provision: it works again' },
  {
    id: 'old-strings-kept',
    title: 'A re-provision leaves the previous device id working (two devices for one user)',
  },
  {
    id: 'expiry-off-by-one',
    title: 'A provision code is still accepted one second after its validity period ended',
  },
  { id: 'malformed-xml-500', title: 'A request body that is not well-formed XML gets HTTP 500 and a stack trace' },
  {
    id: 'unknown-user-wrong-error',
    title: 'An unknown user is answered AGENT_ERROR_USER_NOT_FOUND instead of AGENT_ERROR_NO_USER_FOUND',
  },
  { id: 'self-provisioning-default-on', title: 'Self-provisioning of the mobile client is allowed by default' },
  {
    id: 'codes-shared-without-session-sharing',
    title: 'Without session sharing, a provision code made on one instance is still valid on the others',
  },
  {
    id: 'wrong-code-burns-code',
    title: "A provision attempt with a wrong code discards the user's outstanding code (state changed by a FAIL)",
  },
  {
    id: 'validity-range-unchecked',
    title: 'The policy accepts a provision code validity period outside 10..1000000 seconds',
  },
  { id: 'request-id-not-echoed', title: "The answer carries an empty <RequestID> instead of the request's" },
  {
    id: 'policy-change-drops-codes',
    title: 'A policy change discards every outstanding provision code (state changed between issuing and using)',
  },
  {
    id: 'one-code-per-server',
    title: "A code issued to one user replaces every other user's outstanding code (one code per server)",
  },
  {
    id: 'missing-element-500',
    title: 'A provision request without <ProvisionCode> crashes the handler (HTTP 500)',
  },
] as const;

export type SwivelDefectId = (typeof SWIVEL_DEFECTS)[number]['id'];

const IDS: ReadonlySet<string> = new Set(SWIVEL_DEFECTS.map((d) => d.id));

export function isSwivelDefectId(id: string): id is SwivelDefectId {
  return IDS.has(id);
}
