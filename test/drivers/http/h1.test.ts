import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_HEAD_BYTES,
  requestHead,
  ResponseParser,
  statusLineFault,
  type ParseError,
  type ParserSink,
} from '../../../drivers/http/h1.ts';

/** Everything a parser reported for one answer, its body pieces joined. */
interface Read {
  heads: { status: number; contentType: string | null; location: string | null }[];
  body: string;
  complete: { reuse: boolean; keepAliveMs: number | null }[];
  fault: ParseError | null;
  /** After the close of the connection (`eof`): whether that ended the answer. */
  endedByClose: boolean | null;
}

/** Feeds `pieces` in order (then a close, when asked) to a fresh parser, as a connection would. */
function read(pieces: Buffer[], options: { close?: boolean; noBody?: boolean } = {}): Read {
  const result: Read = { heads: [], body: '', complete: [], fault: null, endedByClose: null };
  const bodies: Buffer[] = [];
  const sink: ParserSink = {
    onHead: (status, contentType, location) => result.heads.push({ status, contentType, location }),
    onBody: (chunk) => bodies.push(Buffer.from(chunk)),
    onComplete: (reuse, keepAliveMs) => result.complete.push({ reuse, keepAliveMs }),
  };
  const parser = new ResponseParser(sink);
  parser.reset(options.noBody ?? false);
  for (const piece of pieces) {
    if (result.complete.length > 0) break;
    result.fault = parser.feed(piece);
    if (result.fault !== null) break;
  }
  if (options.close === true && result.fault === null && result.complete.length === 0) {
    result.endedByClose = parser.eof();
  }
  result.body = Buffer.concat(bodies).toString('latin1');
  return result;
}

const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');

/** `text` cut at the given offsets (sorted, deduplicated, inside it). */
function split(text: string, cuts: number[]): Buffer[] {
  const whole = bytes(text);
  const at = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const cut of at) {
    pieces.push(whole.subarray(from, cut));
    from = cut;
  }
  pieces.push(whole.subarray(from));
  return pieces.filter((p) => p.length > 0);
}

/** One answer as a server could frame it, and what a reader must get from it. */
interface Answer {
  wire: string;
  status: number;
  contentType: string | null;
  location: string | null;
  body: string;
  /** Framed (length or chunked) and kept alive: the connection can carry another request. */
  reuse: boolean;
  /** Only a close ends it. */
  toClose: boolean;
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,11}$/);
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,20}[\x21-\x7e])?$/);
const body = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '\r', '\n', ' ', '\xe9', '{', '}'),
  maxLength: 300,
  size: 'large',
});

const answer: fc.Arbitrary<Answer> = fc
  .record({
    status: fc.constantFrom(200, 201, 204, 302, 304, 400, 404, 500, 503),
    reason: fc.constantFrom('', ' ', ' OK', ' Not Found', ' Some Reason Phrase'),
    contentType: fc.option(fc.constantFrom('application/json', 'text/plain; charset=utf-8'), { nil: null }),
    location: fc.option(fc.constantFrom('/there', 'http://h/x?y=1'), { nil: null }),
    extra: fc.array(fc.tuple(token, headerValue), { maxLength: 3 }),
    body,
    framing: fc.constantFrom('length', 'chunked', 'close'),
    chunks: fc.array(fc.nat(), { maxLength: 4 }),
    trailers: fc.array(fc.tuple(token, headerValue), { maxLength: 2 }),
    interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: 2 }),
    close: fc.boolean(),
    caseOf: fc.constantFrom('lower', 'upper', 'mixed'),
    minor: fc.constantFrom(0, 1),
  })
  .map((a) => {
    const name = (n: string) => (a.caseOf === 'lower' ? n.toLowerCase() : a.caseOf === 'upper' ? n.toUpperCase() : n);
    const noBody = a.status === 204 || a.status === 304;
    const reserved = /^(content-length|transfer-encoding|connection|content-type|location|keep-alive)$/i;
    const headers: string[] = a.extra.filter(([n]) => !reserved.test(n)).map(([n, v]) => `${n}: ${v}`);
    if (a.contentType !== null) headers.push(`${name('Content-Type')}: ${a.contentType}`);
    if (a.location !== null) headers.push(`${name('Location')}:${a.location}`);
    if (a.close) headers.push(`${name('Connection')}: close`);
    else if (a.minor === 0) headers.push(`${name('Connection')}: keep-alive`);
    let payload = '';
    if (a.framing === 'length') {
      headers.push(`${name('Content-Length')}: ${a.body.length}`);
      payload = a.body;
    } else if (a.framing === 'chunked') {
      headers.push(`${name('Transfer-Encoding')}: chunked`);
      const cuts = [...new Set(a.chunks.map((c) => c % (a.body.length + 1)))].sort((x, y) => x - y);
      let from = 0;
      for (const cut of [...cuts, a.body.length]) {
        const piece = a.body.slice(from, cut);
        from = cut;
        if (piece.length > 0)
          payload += `${piece.length.toString(16)}${piece.length % 2 ? ';ext=1' : ''}\r\n${piece}\r\n`;
      }
      payload += `0\r\n${a.trailers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
    } else payload = a.body;
    const interim = a.interim.map((s) => `HTTP/1.1 ${s} Interim\r\nX-Hint: ${s}\r\n\r\n`).join('');
    const wire = `${interim}HTTP/1.${a.minor} ${a.status}${a.reason}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n${noBody ? '' : payload}`;
    const toClose = !noBody && a.framing === 'close';
    return {
      wire,
      status: a.status,
      contentType: a.contentType,
      location: a.location,
      body: noBody ? '' : a.body,
      reuse: !a.close && !toClose,
      toClose,
    };
  });

describe('ResponseParser: an answer split anywhere reads the same', () => {
  it('reads any framing, 1xx, trailers and header case, in random pieces', () => {
    fc.assert(
      fc.property(answer, fc.array(fc.nat(), { maxLength: 12 }), (a, cuts) => {
        const result = read(split(a.wire, cuts), { close: true });
        expect(result.fault).toBeNull();
        expect(result.heads).toEqual([{ status: a.status, contentType: a.contentType, location: a.location }]);
        expect(result.body).toBe(a.body);
        if (a.toClose) {
          expect(result.complete).toEqual([{ reuse: false, keepAliveMs: null }]);
          expect(result.endedByClose).toBe(true);
        } else {
          expect(result.complete).toEqual([{ reuse: a.reuse, keepAliveMs: null }]);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads an answer cut at every single byte boundary, and one byte at a time', () => {
    const wire =
      'HTTP/1.1 100 Continue\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n' +
      'Keep-Alive: timeout=5\r\n\r\n' +
      '5;name=value\r\n{"a":\r\n3\r\n1}\n\r\n1A\r\n' +
      'x'.repeat(26) +
      '\r\n0\r\nX-Trailer: t\r\n\r\n';
    const expected = read([bytes(wire)]);
    expect(expected).toMatchObject({
      heads: [{ status: 200, contentType: 'application/json', location: null }],
      body: `{"a":1}\n${'x'.repeat(26)}`,
      complete: [{ reuse: true, keepAliveMs: 5000 }],
      fault: null,
    });
    for (let cut = 0; cut <= wire.length; cut++) expect(read(split(wire, [cut]))).toEqual(expected);
    expect(read([...bytes(wire)].map((b) => Buffer.from([b])))).toEqual(expected);
  });

  it('ends a body without length or chunking at the close, and only there', () => {
    const result = read(split('HTTP/1.1 200 OK\r\n\r\nall of it', [3, 20]), { close: true });
    expect(result).toMatchObject({ body: 'all of it', complete: [{ reuse: false }], endedByClose: true });
    const cut = read([bytes('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf')], { close: true });
    expect(cut).toMatchObject({ body: 'half', complete: [], endedByClose: false });
  });

  it('does not offer a connection for reuse when bytes follow the answer, or it is HTTP/1.0 without keep-alive', () => {
    expect(read([bytes('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokEXTRA')])).toMatchObject({
      body: 'ok',
      complete: [{ reuse: false }],
    });
    expect(read([bytes('HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok')]).complete).toEqual([
      { reuse: false, keepAliveMs: null },
    ]);
    expect(
      read([bytes('HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\ncontent-length: 0\r\n\r\n')]).complete,
    ).toEqual([{ reuse: false, keepAliveMs: null }]);
  });

  it('reads no body for a HEAD request, 204 and 304, whatever the headers say', () => {
    expect(read([bytes('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n')], { noBody: true })).toMatchObject({
      body: '',
      complete: [{ reuse: true }],
    });
    expect(read([bytes('HTTP/1.1 304 Not Modified\r\ncontent-length: 5\r\n\r\n')])).toMatchObject({
      body: '',
      complete: [{ reuse: true }],
    });
  });
});

describe('ResponseParser: bytes that are not an answer', () => {
  const fault = (text: string) => read(split(text, [7, 19, 33])).fault;

  it.each([
    ['garbage garbage\r\n\r\n', 'HPE_INVALID_CONSTANT', 'Expected HTTP/, RTSP/ or ICE/'],
    ['HTTP/x.1 200 OK\r\n\r\n', 'HPE_INVALID_VERSION', 'Invalid major version'],
    ['HTTP/1x1 200 OK\r\n\r\n', 'HPE_INVALID_VERSION', 'Expected dot'],
    ['HTTP/3.0 200 OK\r\n\r\n', 'HPE_INVALID_VERSION', 'Invalid HTTP version'],
    ['HTTP/1.1 abc OK\r\ncontent-length: 2\r\n\r\nhi', 'HPE_INVALID_STATUS', 'Invalid status code'],
    ['HTTP/1.1 20\r\n\r\n', 'HPE_INVALID_STATUS', 'Invalid status code'],
    ['HTTP/1.1 2000 OK\r\n\r\n', 'HPE_INVALID_STATUS', 'Invalid response status'],
    ['HTTP/1.1 200 OK\r\nbad header\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 'Invalid header field char'],
    ['HTTP/1.1 200 OK\r\nx: a\x01b\r\n\r\n', 'HPE_INVALID_HEADER_TOKEN', 'Invalid header value char'],
    [
      'HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n',
      'HPE_INVALID_CONTENT_LENGTH',
      'Invalid character in Content-Length',
    ],
    [
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\nContent-Length: 1\r\n\r\nx',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
      'Duplicate Content-Length',
    ],
    [
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ntransfer-encoding: chunked\r\n\r\n',
      'HPE_UNEXPECTED_CONTENT_LENGTH',
      "Content-Length can't be present with Transfer-Encoding",
    ],
    [
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
      'HPE_INVALID_CHUNK_SIZE',
      'Invalid character in chunk size',
    ],
    [
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabX',
      'HPE_CR_EXPECTED',
      'Missing expected CR after chunk data',
    ],
    [
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\rX',
      'HPE_LF_EXPECTED',
      'Missing expected LF after chunk size',
    ],
  ])('%j: %s', (text, code, reason) => {
    expect(fault(text)).toEqual({ code, reason });
  });

  it('fails bytes that are not HTTP as soon as they arrive, without waiting for a blank line', () => {
    expect(read([bytes('SSH-2.0-OpenSSH')]).fault).toEqual({
      code: 'HPE_INVALID_CONSTANT',
      reason: 'Expected HTTP/, RTSP/ or ICE/',
    });
    // A line that is HTTP so far is not judged before it is whole.
    expect(read([bytes('HTTP/1.1 2')]).fault).toBeNull();
    expect(statusLineFault('HTTP/1.1 2', false)).toBeNull();
    expect(statusLineFault('HTTP/1.1 2', true)).toEqual({ code: 'HPE_INVALID_STATUS', reason: 'Invalid status code' });
  });

  it('fails a head larger than the limit', () => {
    const long = `HTTP/1.1 200 OK\r\nx: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    expect(read(split(long, [100, 5000]))).toMatchObject({
      fault: { code: 'HPE_HEADER_OVERFLOW', reason: 'Header overflow' },
    });
    expect(read([bytes(`${long}\r\n\r\n`)]).fault).toEqual({ code: 'HPE_HEADER_OVERFLOW', reason: 'Header overflow' });
  });
});

describe('requestHead', () => {
  it('writes the request line, Host, the headers as given, Content-Length and the body', () => {
    expect(
      requestHead(
        { method: 'POST', path: '/a?b=c', headers: { 'content-type': 'application/xml' }, body: '<x>é</x>' },
        '127.0.0.1:8080',
      ),
    ).toBe(
      'POST /a?b=c HTTP/1.1\r\nhost: 127.0.0.1:8080\r\ncontent-type: application/xml\r\ncontent-length: 9\r\n\r\n<x>é</x>',
    );
    expect(requestHead({ method: 'GET', path: '/', headers: { Accept: '*/*' }, body: null }, 'h')).toBe(
      'GET / HTTP/1.1\r\nhost: h\r\nAccept: */*\r\n\r\n',
    );
    // A POST without a body says so (some servers answer 411 otherwise); the caller's Host wins.
    expect(requestHead({ method: 'POST', path: '/', headers: { Host: 'other' }, body: null }, 'h')).toBe(
      'POST / HTTP/1.1\r\nHost: other\r\ncontent-length: 0\r\n\r\n',
    );
  });

  it('refuses what could split a request, as Node does', () => {
    const base = { method: 'GET', path: '/', headers: {}, body: null };
    expect(requestHead({ ...base, headers: { x: 'a\r\nInjected: 1' } }, 'h')).toEqual({
      code: 'ERR_INVALID_CHAR',
      message: 'Invalid character in header content ["x"]',
    });
    expect(requestHead({ ...base, headers: { 'bad name': 'v' } }, 'h')).toMatchObject({
      code: 'ERR_INVALID_HTTP_TOKEN',
    });
    expect(requestHead({ ...base, path: '/a b' }, 'h')).toMatchObject({ code: 'ERR_UNESCAPED_CHARACTERS' });
    expect(requestHead({ ...base, method: 'GET /x' }, 'h')).toMatchObject({ code: 'ERR_INVALID_HTTP_TOKEN' });
  });
});
