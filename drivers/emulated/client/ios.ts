/**
 * The emulated Open Mobile client for iOS: a URL protocol handler for the `ipass` scheme that reports its
 * result by opening `<resulturlscheme>://provision?result=<code>`.
 */
import type { Method, ProvisionObservation } from '../../../protocols/openmobile/types.ts';
import { OpenMobileClient } from './open-mobile-client.ts';
import type {
  ConfigurationCheck,
  Draft,
  PlatformPicks,
  ProvisioningRequest,
  SyntaxCheck,
} from './open-mobile-client.ts';
import type { UrlParts } from './query.ts';

/** iOS lower-cases the host of an `NSURL`, so `provision`, `Provision` and `provision.com` all arrive. */
const IOS_HOSTS: ReadonlySet<string> = new Set(['provision', 'provision.com']);

export class IosClient extends OpenMobileClient {
  readonly platform = 'ios' as const;
  readonly methods: readonly Method[] = ['url'];

  protected readonly defaultPicks: PlatformPicks = {
    // NSURLComponents: `+` is a literal plus, a later duplicate overwrites the earlier one in the
    // dictionary built from queryItems, a bare name has a nil value (treated as not given), and a URL with
    // broken percent-encoding fails to initialise, so it never reaches the app. queryItems decode names as
    // well as values, only `&` separates, and the app compares names exactly.
    query: {
      plus: 'literal',
      repeated: 'last',
      bareName: 'absent',
      malformed: 'reject',
      names: 'decoded',
      semicolon: 'literal',
      nameCase: 'sensitive',
    },
    lowercaseBooleans: '11',
    flagValue: 'N',
    pidNonDecimal: 10,
    pidAbsentFresh: 10,
    obfuscationUndecodable: 23,
    // NSString length counts UTF-16 units.
    astralLength: 'utf16',
    serviceOffline: 30,
    // Any other status is an answer it cannot use: an unexpected error.
    serviceStatus: 2,
  };

  protected readonly syntaxOrder: readonly SyntaxCheck[] = ['pid', 'booleans', 'flags', 'obfuscation', 'lengths'];
  protected readonly configurationOrder: readonly ConfigurationCheck[] = ['password', 'domain', 'prefix', 'autologin'];

  protected routes(url: UrlParts, method: Method): boolean {
    return method === 'url' && url.scheme.toLowerCase() === 'ipass' && IOS_HOSTS.has(url.host.toLowerCase());
  }

  protected softAutologin(draft: Draft): void {
    const s = draft.settings;
    const { userControl } = draft.profile.autologin;
    if (draft.newProfile && draft.initialActivation) {
      // Initial activation: Y when the profile lets the user control auto-login, N when it forbids it.
      if (!this.defects.has('ios-autologin-initial-not-set')) s.autologin = userControl;
    } else if (draft.newProfile && !userControl) {
      s.autologin = false;
    }
    // Y with a forbidding profile is refused by the autologin check (22); N is always acceptable.
    if (draft.requestedAutologin === false) s.autologin = false;
    else if (draft.requestedAutologin === true && userControl) s.autologin = true;
  }

  protected deliver(code: number, request: ProvisioningRequest, _method: Method): ProvisionObservation {
    const scheme = request.resulturlscheme;
    const callback = scheme !== undefined && (scheme !== '' || this.defects.has('empty-resulturlscheme-callback'));
    const callbackUrl = callback ? `${scheme ?? ''}://provision?result=${code}` : null;
    if (callbackUrl !== null) this.log(`opening ${callbackUrl}`);
    // silentmode is an Android option: iOS ignores it (OM-CHOICE-IOS-SILENTMODE = ignored), so Open Mobile is
    // in the foreground and shows the status, as it must for the callback to reach the requesting app.
    return {
      handled: true,
      result: callbackUrl === null ? null : code,
      callbackUrl,
      dialog: code === 0 ? 'success' : 'failure',
      foreground: true,
      notification: null,
    };
  }
}
