import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/core/ansi.ts';

describe('stripAnsi', () => {
  it('removes the colours of a Playwright call log, keeping its text', () => {
    const message =
      'page.tap: Target page, context or browser has been closed\nCall log:\n' +
      "\u001b[2m  - waiting for locator('#provisioning-link')\u001b[22m\n\u001b[2m  - attempting tap action\u001b[22m";
    expect(stripAnsi(message)).toBe(
      "page.tap: Target page, context or browser has been closed\nCall log:\n  - waiting for locator('#provisioning-link')\n  - attempting tap action",
    );
  });

  it('removes cursor moves, 256 colours, OSC hyperlinks and 8-bit CSI; leaves other text alone', () => {
    expect(stripAnsi('\u001b[38;5;196mred\u001b[0m \u001b[2K\u001b[1Gline')).toBe('red line');
    expect(stripAnsi('\u001b]8;;https://example.com\u0007link\u001b]8;;\u0007')).toBe('link');
    expect(stripAnsi('\u009b31mx')).toBe('x');
    const plain = 'expected [23] got 0; é中 [wrong-state] \\u001b';
    expect(stripAnsi(plain)).toBe(plain);
  });
});
