/**
 * The Open Mobile requirement catalogue: stable IDs, each quoting the seed
 * (docs/spec/open-mobile-provisioning-api-3.2.txt) verbatim, refined where needed by the agreed reading
 * (docs/spec/open-mobile-reading.md, section numbers in `reading`).
 */
import type { Requirement } from './types.ts';

export const REQUIREMENTS: readonly Requirement[] = [
  // Routing
  {
    id: 'OM-ROUTE-IOS',
    title: 'iOS handles ipass://provision?... (scheme in any case)',
    severity: 'MUST',
    quote:
      'Note that Open Mobile implements a protocol scheme handler for the `ipass` scheme to enable your requests to reach Open Mobile.',
    source: 'iOS Provisioning URL Format',
    reading: '1',
  },
  {
    id: 'OM-ROUTE-ANDROID-URL-COM',
    title: 'Android URL method needs clientx://provision.com; without .com not handled',
    severity: 'MUST',
    quote: 'An extra ".com" is required after clientx://provision in the URL Method (and not in the Intent Method).',
    source: 'Android Provisioning Facility, URL Method',
    reading: '1',
  },
  {
    id: 'OM-ROUTE-ANDROID-INTENT',
    title: 'Android intent method handles clientx://provision?...',
    severity: 'MUST',
    quote: 'The Intent Method DOES NOT require “.com” and the URL Method DOES require “.com”.',
    source: 'Provisioning Examples',
    reading: '1',
  },
  {
    id: 'OM-ROUTE-UNHANDLED-NO-CHANGE',
    title: 'A URL that is not handled changes nothing and reports nothing',
    severity: 'MUST',
    quote:
      'Attempts to invoke the provisioning facility from background tasks fail quietly (that is, an openURL operation reports no error, but iOS quietly ignores the requested operation.)',
    source: 'iOS Provisioning Facility, App Focus',
    reading: '1, 6',
  },
  // Activation and parameters
  {
    id: 'OM-ACT-ACTIVATE',
    title: 'A request with pid (re)activates: fetches the profile and replaces the current one',
    severity: 'MUST',
    quote:
      'The client may be re-activated using a new profile ID and PIN, which results in complete replacement of the profile and its associated configuration.',
    source: 'Understanding Open Mobile Provisioning, Re-provisioning',
  },
  {
    id: 'OM-PARAM-CASE-SENSITIVE',
    title: 'Parameter names are case-sensitive; unknown parameters are ignored',
    severity: 'MUST',
    quote: 'The parameters of this URL are described in Table 3 below and are case-sensitive.',
    source: 'Android Provisioning URL Format',
    reading: '2',
  },
  {
    id: 'OM-PARAM-DECODE',
    title: 'Values are percent-decoded once',
    severity: 'MUST',
    quote: 'A valid URL for an Android provisioning facility has the following form:',
    source: 'Android Provisioning URL Format',
    reading: '2',
  },
  {
    id: 'OM-PARAM-PID-BLANK',
    title: 'pid present and empty: 10',
    severity: 'MUST',
    quote: 'The operation failed. A blank Profile ID was specified. (A valid Profile ID is a decimal value.)',
    source: 'Error Codes, Table 2 and Table 4',
    reading: '2',
  },
  {
    id: 'OM-PARAM-PID-ABSENT',
    title: 'No pid: reconfigure settings on the current profile',
    severity: 'MUST',
    quote: 'Existing service settings (such as domain) may be completely or partially reconfigured.',
    source: 'Understanding Open Mobile Provisioning, Re-provisioning',
    reading: '2',
  },
  {
    id: 'OM-PARAM-BOOL',
    title: 'test and autologin must be Y or N, else 11',
    severity: 'MUST',
    quote: "The operation failed. An invalid setting for auto-login or test was specified (not 'Y' or 'N').",
    source: 'Error Codes, Table 4',
    reading: '2',
  },
  {
    id: 'OM-PARAM-FLAG-DEFAULT',
    title: 'Omitted booleans (test, silentmode, obfuscation) mean N',
    severity: 'MUST',
    quote: 'All Boolean parameters that are omitted have a default value of N (No).',
    source: 'Android Provisioning URL Format',
    reading: '2',
  },
  {
    id: 'OM-PARAM-TEST-MODE',
    title: 'test=Y selects the test-mode profile, else production',
    severity: 'MUST',
    quote:
      'If the parameter is omitted, the setting is assumed to be N, indicating that it references a production mode profile.',
    source: 'Table 1 and Table 3, test',
    reading: '2',
  },
  {
    id: 'OM-PARAM-PIN',
    title: 'pin goes to the profile service; empty pin = none',
    severity: 'MUST',
    quote:
      'PIN (if there is one). If no PIN is associated with the profile, this parameter may be omitted, or the PIN value may be a null length string.',
    source: 'Table 3, pin',
    reading: '2',
  },
  // Omission and length limits
  {
    id: 'OM-OMIT-KEEP',
    title: 'An omitted parameter keeps the saved value',
    severity: 'MUST',
    quote:
      'If a provisioning parameter is omitted, no previously provisioned value for the parameter will be replaced and the value will persist in the client configuration.',
    source: 'iOS Provisioning Facility, Omitted Parameters',
    reading: '2',
  },
  {
    id: 'OM-OMIT-EMPTY-ERASES',
    title: 'A zero-length value erases the saved value',
    severity: 'MUST',
    quote:
      'If the application needs to erase any previously provisioned value for a parameter, a zero-length value string should be specified.',
    source: 'Omitted Parameters',
    reading: '2',
  },
  {
    id: 'OM-LEN-USERNAME',
    title: 'Username at most 100 characters (after decoding), else 23',
    severity: 'MUST',
    quote:
      'The requested username or password setting exceeds the maximum length of those values (character length limits for username: 100 characters, for password: 64 characters).',
    source: 'Error Codes, Table 2, 23',
    reading: '2',
  },
  {
    id: 'OM-LEN-PASSWORD',
    title: 'Password at most 64 characters (after decoding / de-obfuscation), else 23',
    severity: 'MUST',
    quote: '(the username limit is 100 characters and the password limit is 64 characters)',
    source: 'Error Codes, Table 4, 23',
    reading: '2',
  },
  // Soft configuration
  {
    id: 'OM-SOFT-DOMAIN-DEFAULT',
    title: 'Empty effective domain + profile with domain options: first option',
    severity: 'MUST',
    quote:
      'Configures (or reconfigures) the domain setting to the first domain option identified in the profile when a provisioned profile includes one or more domain options and the current settings do not include a domain value. This occurs during the initial activation if the domain parameter is omitted and whenever the domain value is configured as a null (blank) value.',
    source: 'Soft Configured Settings',
    reading: '3',
  },
  {
    id: 'OM-SOFT-PASSWORD-REMOVED',
    title: 'A new profile forbidding saved passwords removes the saved password',
    severity: 'MUST',
    quote:
      'Removes the configured password setting when a new profile is provisioned that prohibits the saving of password.',
    source: 'Soft Configured Settings',
    reading: '3',
  },
  {
    id: 'OM-SOFT-PREFIX-REMOVED',
    title: 'A new profile with no prefix option removes the saved prefix',
    severity: 'MUST',
    quote: 'Removes the prefix setting when a new profile is configured that does not include a prefix option.',
    source: 'Soft Configured Settings',
    reading: '3',
  },
  {
    id: 'OM-SOFT-AUTOLOGIN-ANDROID-INITIAL',
    title: 'Android: initial activation sets auto-login N unless the request sets it',
    severity: 'MUST',
    quote: 'Sets auto-login to No on Android during the initial activation.',
    source: 'Soft Configured Settings, On Android',
    reading: '3',
  },
  {
    id: 'OM-SOFT-AUTOLOGIN-ANDROID-IGNORED',
    title: 'Android: the autologin parameter (Y or N) with a profile forbidding user control is ignored (no error)',
    severity: 'MUST',
    quote:
      'If the profile forbids user control of auto-connect behavior, this setting is ignored and the effective auto-connect value is determined by the Open Mobile profile.',
    source: 'Table 3, autologin',
    reading: '3',
  },
  {
    id: 'OM-SOFT-AUTOLOGIN-IOS-INITIAL',
    title: 'iOS: initial activation sets Y if the profile allows user control, N if it forbids',
    severity: 'MUST',
    quote:
      'Sets auto-login to Yes during the initial activation when a profile is provisioned that allows user control of the auto-login feature.',
    source: 'Soft Configured Settings, On iOS',
    reading: '3',
  },
  {
    id: 'OM-SOFT-AUTOLOGIN-IOS-FORBIDDEN',
    title: 'iOS: reactivation to a profile forbidding user control sets N',
    severity: 'MUST',
    quote:
      'Sets auto-login to No when a profile re-provision activates a profile that forbids user control of the auto-login feature.',
    source: 'Soft Configured Settings, On iOS',
    reading: '3',
  },
  {
    id: 'OM-REACT-KEEPS-SETTINGS',
    title: 'Reactivation keeps username, password, domain, prefix unless a soft rule removes them',
    severity: 'MUST',
    quote:
      'As long as you do not change domains or prefixes, after reactivation, the user population will be able to access new networks enabled by the profile, but will not have to set username or password, or select domain or prefix.',
    source: 'Provisioning Examples, Reactivation',
    reading: '3',
  },
  // Result codes
  {
    id: 'OM-CODE-0-SUCCESS',
    title: 'Success is 0 and applies the effective configuration',
    severity: 'MUST',
    quote:
      'The provisioning facility determines the new effective configuration, and then evaluates its contents and settings to determine if an incompatible configuration has been requested.',
    source: 'Error Codes',
    reading: '3, 4',
  },
  {
    id: 'OM-CODE-1-IN-PROGRESS',
    title: 'Another provisioning operation in progress: 1',
    severity: 'MUST',
    quote:
      'The operation failed. The operation could not be attempted because an activation or provisioning operation is already in progress (perhaps by another application).',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-2-INTERNAL',
    title: 'Unexpected internal error: 2',
    severity: 'MUST',
    quote: 'An unexpected internal error occurred.',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-20-DOMAIN',
    title: 'Effective domain incompatible with the profile: 20',
    severity: 'MUST',
    quote: 'The operation failed. The effective domain configuration is incompatible with the provisioned profile.',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-21-PREFIX',
    title: 'Effective prefix incompatible with the profile: 21',
    severity: 'MUST',
    quote:
      'The operation failed. The effective user prefix configuration is incompatible with the provisioned profile.',
    source: 'Error Codes, Table 2',
    reading: '3, 4',
  },
  {
    id: 'OM-CODE-22-AUTOLOGIN',
    title: 'iOS: autologin=Y asserted with forbidding profile or missing username/password/domain: 22',
    severity: 'MUST',
    quote:
      'The operation failed. The requested operation asserts the autologin feature but: <ul style="list-style-type: none"> The effective configuration of the client is missing a valid username, password, or domain, or, alternatively The provisioned profile prohibits user control of the feature and the parameter specifies a setting of Y',
    source: 'Error Codes, Table 2 (iOS only)',
    reading: '4',
  },
  {
    id: 'OM-CODE-23-PASSWORD-NEEDS-USER-DOMAIN',
    title: 'Password requested but effective config lacks username or domain: 23',
    severity: 'MUST',
    quote:
      'A valid password value was supplied, but the effective configuration is missing a username or domain setting.',
    source: 'Error Codes, Table 2 and Table 4, 23',
    reading: '4',
  },
  {
    id: 'OM-CODE-23-PASSWORD-NOT-SAVED',
    title: 'Password requested but profile forbids saving it: 23',
    severity: 'MUST',
    quote:
      'A valid password value was supplied, but the provisioned profile prohibits the saving of the password in Open Mobile (and requires the user to input it each time a connection is made).',
    source: 'Error Codes, Table 2 and Table 4, 23',
    reading: '3, 4',
  },
  {
    id: 'OM-CODE-30-CUT',
    title: 'Communication with the server interrupted: 30',
    severity: 'MUST',
    quote: 'The operation failed. Communication with the server was interrupted.',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-31-TRANSIENT',
    title: 'The service reported a transient error (5xx): 31',
    severity: 'MUST',
    quote:
      'The operation failed. The activation service has reported a transient error. Try the operation again later.',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-32-OFFLINE',
    title: 'No Internet connection: 32',
    severity: 'MUST',
    quote:
      'The operation failed. The device does not have a connection to the Internet. A connection is required. Establish an Internet connection and retry the operation.',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-CODE-33-NO-PROFILE',
    title: 'ID/PIN/platform/mode select no profile: 33',
    severity: 'MUST',
    quote:
      'The operation failed. The Profile ID and PIN (if any) does not select an available profile for the client type (iOS) in the indicated mode (production or test).',
    source: 'Error Codes, Table 2',
    reading: '4',
  },
  {
    id: 'OM-LOOKUP-PROFILE-FINDER',
    title: "An ID of another platform's profile selects the company's favorite for this platform",
    severity: 'MUST',
    quote:
      "The Profile ID and PIN specify a profile that is not an iOS client profile, and no iOS Favorite profile has been created for the company by the company's Service Administrator.",
    source: 'Error Codes, Table 2, 33',
  },
  {
    id: 'OM-PRECEDENCE',
    title: 'Several broken rules: the code of one of them (phase constraint, one fixed order per target)',
    severity: 'MUST',
    quote: 'Error codes report the first inconsistent condition detected during the configuration validation.',
    source: 'Error Codes',
    reading: '5',
  },
  {
    id: 'OM-ATOMIC',
    title: 'A failing request leaves profile and settings exactly as they were',
    severity: 'MUST',
    quote:
      'Note that each call to the interface will either execute completely, or fail completely. In the event of a failure, there will be no net change to the application state. No provisioning operation will be left half-completed.',
    source: 'Error Codes',
    reading: '6',
  },
  // Result delivery
  {
    id: 'OM-DELIVER-INTENT-BROADCAST',
    title: 'Android intent: result in client_x.android.prov.result EXTRA_RESULT',
    severity: 'MUST',
    quote:
      'The third party application must query for EXTRA_RESULT of integer type from the intent to receive the status code, as described in Table 4.',
    source: 'Android Provisioning URL Format',
    reading: '7',
  },
  {
    id: 'OM-DELIVER-URL-DIALOG',
    title: 'Android URL method: no result code; a success/failure dialog',
    severity: 'MUST',
    quote:
      'The URL method will not report the status code but there will be an on-screen dialog indicating success or failure.',
    source: 'Android Provisioning URL Format',
    reading: '7',
  },
  {
    id: 'OM-DELIVER-IOS-CALLBACK',
    title: 'iOS: exactly one callback <scheme>://provision?result=<code> iff resulturlscheme non-empty',
    severity: 'MUST',
    quote:
      'If <code>resulturlscheme</code> is omitted or is null, no status will be received by your application upon completion of the provisioning attempt.',
    source: 'Table 1, resulturlscheme',
    reading: '7',
  },
  {
    id: 'OM-DELIVER-IOS-STATUS',
    title: 'iOS: Open Mobile displays the status at completion (dialog), in the foreground',
    severity: 'MUST',
    quote:
      'Such invocations cannot directly report the status of the operation, except through the status displayed by Open Mobile at the completion of the request.',
    source: 'iOS Provisioning Facility, Creating a URL Protocol Handler',
    reading: '7',
  },
  {
    id: 'OM-SILENT-ANDROID',
    title: 'Android silentmode=Y: not brought to foreground; a notification reports the outcome',
    severity: 'MUST',
    quote:
      'When set to Y, Open Mobile will not be brought to foreground during provisioning. Instead a notification will be posted to indicate the outcome of provisioning.',
    source: 'Table 3, silentmode',
    reading: '7',
  },
  {
    id: 'OM-SILENT-IOS',
    title: 'iOS silentmode: implementation-defined (ignored or honoured)',
    severity: 'CHOICE',
    quote: 'This option is applicable to Android only.',
    source: 'Table 3, silentmode (and the iOS example of Silent Provisioning)',
    reading: '7',
  },
  {
    id: 'OM-OBFUSCATION',
    title: 'obfuscation=Y: the password is AES-256 obfuscated (hex) and is de-obfuscated before use',
    severity: 'MUST',
    quote: 'This parameter, when set to Y, will obfuscate the password with AES-256 using a pre-defined shared key.',
    source: 'Table 1 and Table 3, obfuscation',
    reading: '2',
  },
  {
    id: 'OM-LOG-NO-PASSWORD',
    title: "The password never appears in the client's logs",
    severity: 'MUST',
    quote:
      'Open Mobile will not convey the parameters to other applications, record the password parameter in any software instrumentation log, or convey it to any other system, except as a part of a network authentication attempt.',
    source: 'Provisioning Application Goals',
    reading: '7',
  },
];

const BY_ID = new Map<string, Requirement>(REQUIREMENTS.map((r) => [r.id, r]));

/** The requirement with this id; throws on an unknown id (a typo in a vector or in the model). */
export function requirement(id: string): Requirement {
  const found = BY_ID.get(id);
  if (found === undefined)
    throw new Error(`unknown Open Mobile requirement "${id}" (see suites/openmobile/requirements.ts)`);
  return found;
}
