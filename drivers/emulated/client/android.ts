/**
 * The emulated Open Mobile client for Android: the URL method (a `clientx://provision.com` link, outcome
 * shown in a dialog) and the intent method (`clientx://provision` to a service, result broadcast as
 * `EXTRA_RESULT` of `client_x.android.prov.result`).
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

export const RESULT_ACTION = 'client_x.android.prov.result';

export class AndroidClient extends OpenMobileClient {
  readonly platform = 'android' as const;
  readonly methods: readonly Method[] = ['url', 'intent'];

  protected readonly defaultPicks: PlatformPicks = {
    // android.net.Uri.getQueryParameter: `+` decodes to a space, the first of a repeated parameter wins,
    // a bare name reads as an empty value, Uri.decode keeps a broken `%` and substitutes U+FFFD, the key is
    // compared with the query as written (`pass%77ord` is not `password`), and only `&` separates. Table 3's
    // parameters "are case-sensitive".
    query: {
      plus: 'space',
      repeated: 'first',
      bareName: 'empty',
      malformed: 'lenient',
      names: 'literal',
      semicolon: 'literal',
      nameCase: 'sensitive',
    },
    // The seed's own intent example sends test=y.
    lowercaseBooleans: 'accept',
    flagValue: '11',
    // The ID is passed to the profile service as given; it selects nothing.
    pidNonDecimal: 33,
    pidAbsentFresh: 33,
    obfuscationUndecodable: 2,
    astralLength: 'code-points',
    // A connection dropped before any answer looks like no connectivity to Android's network stack.
    serviceOffline: 32,
    // Any other status is an answer it cannot use: an unexpected error.
    serviceStatus: 2,
  };

  protected readonly syntaxOrder: readonly SyntaxCheck[] = ['booleans', 'flags', 'pid', 'obfuscation', 'lengths'];
  protected readonly configurationOrder: readonly ConfigurationCheck[] = ['domain', 'prefix', 'password'];

  protected routes(url: UrlParts, method: Method): boolean {
    // Android matches intent filters case-sensitively, so another letter case is not handled on either
    // method (OM-CHOICE-ANDROID-URL-CASE, OM-CHOICE-INTENT-CASE = not-handled).
    if (url.scheme !== 'clientx') return false;
    if (method === 'url') return url.host === 'provision.com';
    if (this.defects.has('url-method-without-com-required-on-intent')) return url.host === 'provision.com';
    // The provisioning service reads the data URI itself and accepts both hosts
    // (OM-CHOICE-INTENT-PROVISION-COM = handled).
    return url.host === 'provision' || url.host === 'provision.com';
  }

  protected softAutologin(draft: Draft): void {
    const s = draft.settings;
    // Initial activation sets auto-connect to N unless the request sets it.
    if (draft.newProfile && draft.initialActivation) s.autologin = false;
    const requested = draft.requestedAutologin;
    if (requested === undefined) return;
    // A profile that forbids user control decides auto-connect itself: the request's value is ignored.
    if (draft.profile.autologin.userControl || this.defects.has('android-autologin-forbidden-honoured')) {
      s.autologin = requested;
    }
  }

  protected deliver(code: number, request: ProvisioningRequest, method: Method): ProvisionObservation {
    const silent = request.silentmode === 'Y' && !this.defects.has('silentmode-ignored');
    if (method === 'intent') this.log(`broadcasting ${RESULT_ACTION} with EXTRA_RESULT=${code}`);
    if (silent) this.log('silent mode: outcome posted as a notification');
    return {
      handled: true,
      // The URL method has no result channel; the intent method broadcasts the code.
      result: method === 'intent' ? code : null,
      callbackUrl: null,
      dialog: silent ? null : code === 0 ? 'success' : 'failure',
      foreground: !silent,
      notification: silent ? this.outcomeText(code) : null,
    };
  }
}
