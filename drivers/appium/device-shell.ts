/**
 * The Android device shell stands between Appium and `am`: UiAutomator2 hands the intent's URI to
 * `adb shell`, which joins every argument into one command line that the device's `sh` parses again.
 * `mobile: deepLink` quotes the URI itself (appium-adb's escapeShellArg); `mobile: startService` does not,
 * so an unquoted `&` would end the command there, `;` would start another, `$x` would expand, a space
 * would split the URI. The harness therefore sends URIs that survive `sh`: every shell-special character
 * in the query is percent-encoded (the client decodes values once, so the parameters it reads are the
 * same), and what cannot be encoded without changing the URL's structure (`&`, `=`) is protected by
 * single quotes where the driver does not quote.
 */

/** Characters `sh` (Android's mksh, like any POSIX shell) treats specially inside an unquoted word. */
const SHELL_SPECIAL = new Set([...' \t\n\r"\'`$\\|;<>()*?[]{}!^~']);

/**
 * Percent-encodes, in the query of `url`, each character the device shell would interpret. `&`, `=`, `%`,
 * `+` and `#` stay as they are: encoding them would change which parameters the client reads. The part
 * before the query (scheme and host) is returned unchanged.
 */
export function encodeForDeviceShell(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  let out = url.slice(0, q + 1);
  for (const ch of url.slice(q + 1)) {
    const code = ch.codePointAt(0) ?? 0;
    if (SHELL_SPECIAL.has(ch) || code < 0x20 || code === 0x7f) {
      out += encodeURIComponent(ch).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
    } else {
      out += ch;
    }
  }
  return out;
}

/** One `sh` word that expands to exactly `value`, whatever it holds. */
export function quoteForDeviceShell(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * What a POSIX `sh -c` makes of `commandLine`, as far as the harness's URIs can reach: the words of the
 * first command. Unquoted `&`, `;` and `|` end it, `<` and `>` are redirections (their target word is
 * dropped), `$name` expands to nothing (no such variable on the device), and command substitution is
 * refused. The virtual device uses it to mangle an unquoted URI exactly as a phone would.
 */
export function shellWords(commandLine: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let dropNext = false;
  const finish = () => {
    if (inWord) {
      if (dropNext) dropNext = false;
      else words.push(word);
    }
    word = '';
    inWord = false;
  };
  const chars = [...commandLine];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      finish();
    } else if (ch === '&' || ch === ';' || ch === '|') {
      finish();
      return words;
    } else if (ch === '<' || ch === '>') {
      finish();
      dropNext = true;
    } else if (ch === '#' && !inWord) {
      return words;
    } else if (ch === "'") {
      inWord = true;
      const end = chars.indexOf("'", i + 1);
      if (end < 0) throw new Error('sh: unterminated quoted string');
      word += chars.slice(i + 1, end).join('');
      i = end;
    } else if (ch === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < chars.length && chars[j] !== '"'; j++) {
        const c = chars[j] as string;
        if (c === '\\' && j + 1 < chars.length && '"\\$`'.includes(chars[j + 1] as string)) {
          word += chars[++j];
        } else if (c === '$' || c === '`') {
          const expanded = expand(chars, j);
          word += expanded.text;
          j = expanded.end;
        } else {
          word += c;
        }
      }
      if (j >= chars.length) throw new Error('sh: unterminated quoted string');
      i = j;
    } else if (ch === '\\') {
      inWord = true;
      if (i + 1 < chars.length) word += chars[++i];
    } else if (ch === '$' || ch === '`') {
      inWord = true;
      const expanded = expand(chars, i);
      word += expanded.text;
      i = expanded.end;
    } else {
      inWord = true;
      word += ch;
    }
  }
  finish();
  return words;
}

/**
 * `$name`, `${name}`: an unset variable, so nothing; a `$` that starts no name stays literal; `$(...)` and
 * backticks are refused. Returns the index of the last character consumed and the text it stands for.
 */
function expand(chars: string[], at: number): { end: number; text: string } {
  const ch = chars[at];
  const next = chars[at + 1];
  if (ch === '`' || next === '(') throw new Error('sh: command substitution in an intent argument');
  if (next === '{') {
    const close = chars.indexOf('}', at + 2);
    if (close < 0) throw new Error('sh: bad substitution');
    return { end: close, text: '' };
  }
  if (next !== undefined && /[0-9?#@*!$-]/.test(next)) return { end: at + 1, text: '' };
  let j = at + 1;
  while (j < chars.length && /[A-Za-z0-9_]/.test(chars[j] as string)) j++;
  if (j === at + 1) return { end: at, text: '$' };
  return { end: j - 1, text: '' };
}
