/**
 * Seeded defects of the SurePassID reference server (driver option `defects`): realistic bugs a real
 * deployment could have, each a small change guarded by `defects.has('<id>')`, so the harness can be
 * shown to catch every one of them (test/suites/surepassid/defects.test.ts).
 */
export interface SurePassIdDefect {
  id: string;
  title: string;
}

export const SUREPASSID_DEFECTS = [
  {
    id: 'missing-physical-device-500',
    title: 'provision_oath_device without physicalDeviceId dereferences undefined: HTTP 500 instead of an errorCode',
  },
  {
    id: 'qrcode-bad-key-9001',
    title: 'get_oath_device_qrcode with a wrong account key answers 9001 (user login failed) instead of 9000',
  },
  {
    id: 'secret-hex',
    title: 'The Key URI secret is the key in hex, not Base32 (0, 1, 8, 9 are not in the Base32 alphabet)',
  },
  {
    id: 'missing-issuer',
    title: 'The Key URI has neither an issuer parameter nor an issuer prefix in its label',
  },
  {
    id: 'type-coercion',
    title: 'Fields are read with String(value): ["mandy"] or 42 are accepted as strings (type confusion)',
  },
  {
    id: 'found-after-deletion',
    title:
      'Device lookups ignore the deleted flag: a deleted device is still found (find_device, provisioning, QR code)',
  },
  {
    id: 'non-json-hang',
    title: 'A body that is not JSON is never answered (the request hangs until the client gives up)',
  },
] as const satisfies readonly SurePassIdDefect[];

export type SurePassIdDefectId = (typeof SUREPASSID_DEFECTS)[number]['id'];

export const SUREPASSID_DEFECT_IDS: readonly string[] = SUREPASSID_DEFECTS.map((d) => d.id);
