/**
 * The pages a provisioning link reaches a user on: an MDM-style HTML page with a button-like link, or a
 * plain email-style message with the link as its own text. The link goes into `href` HTML-escaped, exactly
 * as a correct page would carry it (`&` as `&amp;`); the browser un-escapes and parses it.
 */

import { escapeHtml } from '../../src/core/html.ts';

export type PageStyle = 'mdm' | 'email';

/** The id of the link on every page, for the click. */
export const LINK_ID = 'provisioning-link';

export function linkPage(style: PageStyle, link: string): string {
  const href = escapeHtml(link);
  if (style === 'email') {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your Open Mobile set-up link</title></head>
<body style="font-family: monospace; white-space: pre-wrap; margin: 1rem">From: it-helpdesk@example.com
Subject: Set up Open Mobile on your phone

Hello,

tap the link below on your phone to set up Open Mobile:

<a id="${LINK_ID}" href="${href}">${href}</a>

IT help desk</body></html>
`;
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Company Portal: Open Mobile</title>
<style>body{font-family:system-ui,sans-serif;margin:1.5rem}a.button{display:inline-block;padding:1rem 1.5rem;
background:#0b5cad;color:#fff;border-radius:.5rem;text-decoration:none;font-size:1.1rem}</style></head>
<body><h1>Open Mobile</h1><p>Install Open Mobile from your app store first, then tap the button to set it up.</p>
<p><a class="button" id="${LINK_ID}" href="${href}">Set up Open Mobile</a></p></body></html>
`;
}
