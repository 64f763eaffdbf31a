import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../drivers/emulated/client/query.ts';

describe('redactUrl (the request line a client logs)', () => {
  it('hides the value of every parameter named like password, however it is spelt', () => {
    expect(redactUrl('ipass://provision?pid=1&password=s3cret&username=a')).toBe(
      'ipass://provision?pid=1&password=***&username=a',
    );
    expect(redactUrl('ipass://provision?PassWord=x&password=y')).toBe('ipass://provision?PassWord=***&password=***');
    expect(redactUrl('ipass://provision?p%61ssword=x')).toBe('ipass://provision?p%61ssword=***');
    expect(redactUrl('ipass://provision?%70assword=x&pid=2')).toBe('ipass://provision?%70assword=***&pid=2');
  });

  it('leaves a URL without such a parameter as it is', () => {
    for (const url of [
      'ipass://provision',
      'ipass://provision?pid=1&username=password',
      'clientx://provision.com?pid=1&username=a+b&domain=x.example',
      'clientx://provision?pid=%41&pin=1',
      'ipass://provision?pid=1&passwords=x&mypassword=y',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });
});
