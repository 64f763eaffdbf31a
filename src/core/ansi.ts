/**
 * ANSI escape sequences (colours, cursor moves) as drivers' libraries put them in error messages
 * (Playwright's call logs): CSI sequences, OSC sequences (ended by BEL or ST) and single-character escapes.
 */
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|\u009b[0-?]*[ -/]*[@-~]/g;

/** `text` without ANSI escape sequences: a report is read in a browser, a CI page or a file, not a terminal. */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') || text.includes('\u009b') ? text.replace(ANSI, '') : text;
}
