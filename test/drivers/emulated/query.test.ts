import { describe, expect, it } from 'vitest';
import { parseQuery, redactUrl, type QueryRules } from '../../../drivers/emulated/client/query.ts';

const DECODES = { names: 'decoded', semicolon: 'literal' } as const;
const LITERAL = { names: 'literal', semicolon: 'literal' } as const;

describe('redactUrl (the request line a client logs)', () => {
  it('hides the value of every parameter named like password, however it is spelt', () => {
    expect(redactUrl('ipass://provision?pid=1&password=s3cret&username=a', DECODES)).toBe(
      'ipass://provision?pid=1&password=***&username=a',
    );
    expect(redactUrl('ipass://provision?PassWord=x&password=y', DECODES)).toBe(
      'ipass://provision?PassWord=***&password=***',
    );
    expect(redactUrl('ipass://provision?p%61ssword=x', DECODES)).toBe('ipass://provision?p%61ssword=***');
    expect(redactUrl('ipass://provision?%70assword=x&pid=2', DECODES)).toBe('ipass://provision?%70assword=***&pid=2');
  });

  it('follows the client reading: an escaped name is an unknown parameter to a literal reader', () => {
    expect(redactUrl('ipass://provision?%70assword=x&password=y', LITERAL)).toBe(
      'ipass://provision?%70assword=x&password=***',
    );
    expect(redactUrl('ipass://provision?pid=1;password=y&a=b', DECODES)).toBe('ipass://provision?pid=1;password=y&a=b');
    expect(redactUrl('ipass://provision?pid=1;password=y&a=b', { names: 'literal', semicolon: 'separator' })).toBe(
      'ipass://provision?pid=1;password=***&a=b',
    );
  });

  it('leaves a URL without such a parameter as it is', () => {
    for (const url of [
      'ipass://provision',
      'ipass://provision?pid=1&username=password',
      'clientx://provision.com?pid=1&username=a+b&domain=x.example',
      'clientx://provision?pid=%41&pin=1',
      'ipass://provision?pid=1&passwords=x&mypassword=y',
    ]) {
      expect(redactUrl(url, DECODES)).toBe(url);
    }
  });
});

describe('parseQuery: how a client reads names', () => {
  const rules: QueryRules = {
    plus: 'literal',
    repeated: 'first',
    bareName: 'empty',
    malformed: 'lenient',
    names: 'decoded',
    semicolon: 'literal',
    nameCase: 'sensitive',
  };
  const read = (query: string, change: Partial<QueryRules> = {}) =>
    Object.fromEntries(parseQuery(query, { ...rules, ...change }) ?? []);

  it('decodes escaped names, or matches them as written', () => {
    expect(read('p%69d=1&pass%77ord=x')).toEqual({ pid: '1', password: 'x' });
    expect(read('p%69d=1&pass%77ord=x', { names: 'literal' })).toEqual({ 'p%69d': '1', 'pass%77ord': 'x' });
  });

  it('a broken escape in a name: refused with the URL where the platform refuses it, kept by a literal reader', () => {
    expect(parseQuery('p%zzd=1', { ...rules, malformed: 'reject' })).toBeNull();
    expect(parseQuery('p%zzd=1', { ...rules, malformed: 'reject', names: 'literal' })).toBeNull();
    expect(read('p%zzd=1', { names: 'literal' })).toEqual({ 'p%zzd': '1' });
  });

  it('letter case and ;', () => {
    expect(read('PID=1&Pin=2', { nameCase: 'insensitive' })).toEqual({ pid: '1', pin: '2' });
    expect(read('PID=1')).toEqual({ PID: '1' });
    expect(read('pid=1;pin=2')).toEqual({ pid: '1;pin=2' });
    expect(read('pid=1;pin=2', { semicolon: 'separator' })).toEqual({ pid: '1', pin: '2' });
  });
});
