/**
 * How a vector's query becomes the URL delivered on each route. These are the seed's canonical forms:
 * iOS `ipass://provision?...`, Android URL method `clientx://provision.com?...` (".com is required"),
 * Android intent method `clientx://provision?...` (the seed's intent example).
 */
import type { Method, Platform, Route } from '../../protocols/openmobile/types.ts';

/**
 * The scheme of the harness's result probe on iOS. A query without `resulturlscheme` gets
 * `resulturlscheme=harnessprobe` appended on iOS so the result code is observable, as a real third-party
 * app would do; a vector that sets `resulturlscheme` itself (even empty) is left alone.
 */
export const IOS_PROBE_SCHEME = 'harnessprobe';

export function routeId(route: Route): string {
  return `${route.platform}-${route.method}`;
}

export function methodsOf(platform: Platform): Method[] {
  return platform === 'ios' ? ['url'] : ['url', 'intent'];
}

function hasParameter(query: string, name: string): boolean {
  return query.split('&').some((pair) => pair === name || pair.startsWith(`${name}=`));
}

/**
 * The canonical URL for `query` on `route`. `probe: false` leaves the harness's result probe out (a link for
 * a person's phone, where no probe app is installed).
 */
export function urlFor(route: Route, query: string, options: { probe?: boolean } = {}): string {
  // A step written as a whole URL (a regression the fuzzer found on a routing variant) is used as written:
  // a query cannot start like one, since it starts with a parameter name.
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(query)) return query;
  if (route.platform === 'ios') {
    if (options.probe === false) return query === '' ? 'ipass://provision' : `ipass://provision?${query}`;
    const q = hasParameter(query, 'resulturlscheme')
      ? query
      : query === ''
        ? `resulturlscheme=${IOS_PROBE_SCHEME}`
        : `${query}&resulturlscheme=${IOS_PROBE_SCHEME}`;
    return `ipass://provision?${q}`;
  }
  const base = route.method === 'url' ? 'clientx://provision.com' : 'clientx://provision';
  return query === '' ? base : `${base}?${query}`;
}
