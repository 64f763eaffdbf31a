/**
 * provisioning-harness configuration. Every field is optional; `npx harness run` without this file runs the
 * same two emulated targets. CLI flags override what is here (`--target`, `--grep`, `--seed`, ...).
 */
import { defineConfig } from 'provisioning-harness';

export default defineConfig({
  targets: [
    // The in-process emulated Open Mobile clients (drivers/emulated/): the default targets.
    { name: 'emulated-ios', driver: 'emulated', options: { platform: 'ios' } },
    { name: 'emulated-android', driver: 'emulated', options: { platform: 'android' } },

    // The same client with a seeded defect switched on: the harness must catch it.
    //   npx harness run --target emulated-android-defective
    {
      name: 'emulated-android-defective',
      driver: 'emulated',
      options: { platform: 'android', defects: ['username-limit-off-by-one'] },
    },

    // A vendor's client behind an adapter-protocol server (docs/spec/adapter-protocol.md). Its platform,
    // methods and capabilities come from GET /v1/info. Try it with the bundled example adapter:
    //   node --import tsx drivers/http/adapter-example.ts --platform android --port 9400 \
    //     --obfuscation-key <obfuscation.key below>
    //   npx harness run --target adapter-android
    // `precedence` declares the order in which this client checks its rules (result codes, first checked
    // first); the harness then checks error precedence exactly instead of only for consistency.
    {
      name: 'adapter-android',
      driver: 'http',
      options: { url: 'http://127.0.0.1:9400', timeoutMs: 10_000 },
    },

    // Open Mobile on phones through Appium 3 (docs/devices.md). These two run the same path against the
    // virtual device (drivers/appium/virtual-device/): a real Appium server the harness starts itself, with
    // a driver of ours hosting the emulated clients. `npx harness run --target virtual-android`
    {
      name: 'virtual-android',
      driver: 'appium',
      options: {
        appium: 'local',
        platform: 'android',
        devices: [{ udid: 'virtual-android-1' }, { udid: 'virtual-android-2' }],
        capabilities: { 'appium:automationName': 'HarnessVirtual' },
        // The virtual phone answers at once; a real one needs the default 3000 ms.
        settleMs: 0,
      },
      // The default for appium: cases that start where an earlier one ended skip the reset (clearApp and a
      // relaunch); a case that then fails re-runs from a reset. `every-case` resets before every case.
      resets: 'fewest',
    },
    {
      name: 'virtual-ios',
      driver: 'appium',
      options: {
        appium: 'local',
        platform: 'ios',
        devices: [{ udid: 'virtual-ios-1' }, { udid: 'virtual-ios-2' }],
        capabilities: { 'appium:automationName': 'HarnessVirtual' },
        settleMs: 0,
      },
    },

    // Swivel mobile provision codes (docs/swivel.md): the reference server, started in-process on loopback.
    // A real server: { name: 'swivel-lab', driver: 'swivel', options: { url: 'https://pinsafe.example:8443/pinsafe' } }
    { name: 'swivel-reference', driver: 'swivel', options: { reference: true } },
    // Two instances without session sharing (a code is valid only where it was made), and with it.
    { name: 'swivel-cluster', driver: 'swivel', options: { reference: true, instances: 2, sessionSharing: false } },
    {
      name: 'swivel-cluster-shared',
      driver: 'swivel',
      options: { reference: true, instances: 2, sessionSharing: true },
    },
    // Without a controllable clock, code expiry is tested by a real wait (11 s): `--target swivel-clockless`.
    // That case declares its own timeout (21 s), so the default timeoutMs (10 s) does not break it.
    { name: 'swivel-clockless', driver: 'swivel', options: { reference: true, clock: false } },

    // SurePassID soft-token provisioning (docs/surepassid.md): the reference OATH server, in-process.
    // A real server: { name: 'surepassid-lab', driver: 'surepassid', options: { url: 'https://sp.example' } }
    { name: 'surepassid-reference', driver: 'surepassid', options: { reference: true } },
    // The same reference answering with real QR-code PNGs (the harness decodes them): qr: 'image' or 'data-url'.
    { name: 'surepassid-qr-images', driver: 'surepassid', options: { reference: true, qr: 'image' } },
    { name: 'surepassid-qr-inline', driver: 'surepassid', options: { reference: true, qr: 'data-url' } },

    // The Open Mobile profile service (docs/openmobile-profiles.md): lookups and the portal's rules through
    // the catalog administration endpoints. The reference is the harness's own profile service.
    { name: 'profile-service-reference', driver: 'profile-service', options: { reference: true } },
  ],

  // The targets `npx harness run` uses without --target.
  run: [
    'emulated-ios',
    'emulated-android',
    'swivel-reference',
    'swivel-cluster',
    'swivel-cluster-shared',
    'surepassid-reference',
    'profile-service-reference',
  ],

  // The catalog the harness's profile service serves to the clients under test (docs/profile-service.md).
  // Relative paths here are relative to this file's folder; left out, the harness's own are used.
  profiles: 'vectors/openmobile/profiles.json',
  vectors: 'vectors/openmobile',

  // The shared AES-256 key of password obfuscation (64 hex characters). It must be the key built into the
  // client under test. HARNESS_OBFUSCATION_KEY overrides it; it never appears in a report.
  obfuscation: { key: '8CC677D6FA2AC487C2FC7AD7232F87D8FCAFD5E9FC0AFBFF23B09D8713BE3463' },

  reporters: ['console', 'jsonl', 'summary', 'junit', 'allure'],
  outputDir: 'reports',
  timeoutMs: 10_000,
  seed: 1,
  // Sessions at once per target. The emulated clients and reference servers run in this process, so more
  // sessions only queue for the same CPU (and a busy machine then stretches every case past its timeout).
  workers: 8,
  // A failed or broken case runs again up to this many times, from a reset; one that then passes is reported
  // as flaky (`--retries 2`). 0 here: the emulated targets are deterministic, so a retry would only hide a
  // defect; set it for a device lab. `maxFailures: 1` (`--bail`) would stop the run at its first failure.
  // See docs/retries.md.
  retries: 0,
  // Links delivered through a real browser: `npx harness run --target browser+emulated-android`
  // (docs/browser.md). Chromium is Debian's; nothing is downloaded.
  browser: {
    executablePath: '/usr/bin/chromium',
    device: 'auto', // a Pixel for Android targets, an iPhone for iOS; or a Playwright device name
    page: 'mdm', // the link on an MDM-style page, or 'email'
    capture: 'script', // the tapped link's href recorded in the page; or 'navigation' (a fresh page per link)
    headless: true,
  },

  // `npx harness fuzz` (docs/fuzzing.md): the budget and which properties run. `time` is the whole run's,
  // shared by every property on every target; `timePerProperty` and `runs` bound each one.
  // Flags override them: --time 2m, --time-per-property 20s, --runs 5000, --property precedence, --against <target>.
  fuzz: {
    time: '1m',
    // properties: ['sequences'],  // by id; each target runs those its suite has (default: all)
    maxFailures: 1, // distinct failures before a property stops (a differential run reports them all)
    corpus: 'vectors/regressions', // shrunk failures, kept as vectors and run first by `harness run`
    targets: ['emulated-ios', 'emulated-android'],
  },

  // Known deviations (docs/expectations.md): harness.expectations.json beside this file is used when it
  // exists; `npx harness run --update-expectations` writes it from a run. Another file:
  // expectations: 'lab/known-deviations.json',
  // The statuses that fail the run (default: fail, broken, unexpected-pass; also non-strict, changed, stale,
  // flaky). `--fail-on` overrides it.
  // failOn: ['fail', 'broken', 'unexpected-pass', 'stale'],

  // An implementation conformance statement (docs/ics.md) to judge the targets of its suites against:
  // another option than it declares at a choice point fails. `npx harness ics --target <name>` writes one
  // from what a target shows; `--ics <file>` overrides this.
  // ics: 'examples/ics/emulated-android.ics.json',

  // Per-case attachments (derivation, expected vs observed, state before/after, target logs):
  // 'on-failure' attaches them to failing and non-strict cases; 'always' to every case.
  artifacts: 'on-failure',
});
