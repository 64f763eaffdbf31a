import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/runner/breaker.ts';

const alive = () => Promise.resolve();

describe('the circuit breaker of a target', () => {
  it('stops a target whose cases go unanswered three in a row, though it answers its probe', async () => {
    const breaker = new CircuitBreaker({ target: 'lab', probe: alive, probeTimeoutMs: 100 });
    breaker.answered();
    const after = Date.now() + 1;
    await breaker.silent('GET /v1/state had not answered', after);
    await breaker.silent('GET /v1/state had not answered', after);
    expect(breaker.stopped).toBeNull();
    await breaker.silent('GET /v1/state had not answered', after);
    expect(breaker.stopped).toMatch(/lab stopped answering: 3 cases in a row got no answer/);
    expect(breaker.signal.aborted).toBe(true);
  });

  it('an answer between two silent cases starts the row again', async () => {
    const breaker = new CircuitBreaker({ target: 'lab', probe: alive, probeTimeoutMs: 100 });
    await breaker.silent('a');
    await breaker.silent('b');
    breaker.answered();
    await breaker.silent('c');
    await breaker.silent('d');
    expect(breaker.stopped).toBeNull();
  });

  it('a case that was slow while other cases of the target got answers does not count (a busy machine)', async () => {
    const breaker = new CircuitBreaker({ target: 'lab', probe: alive, probeTimeoutMs: 100 });
    const startedBefore = Date.now() - 10_000;
    breaker.answered();
    for (let i = 0; i < 10; i++) await breaker.silent('the case did not finish within 10000 ms', startedBefore);
    expect(breaker.stopped).toBeNull();
    // Cases that began after the last answer and got none do count.
    const startedAfter = Date.now() + 1;
    for (let i = 0; i < 3; i++) await breaker.silent('the case did not finish within 10000 ms', startedAfter);
    expect(breaker.stopped).toMatch(/3 cases in a row/);
  });

  it('stops at the first silent case when the health probe fails too, naming both', async () => {
    const breaker = new CircuitBreaker({
      target: 'lab',
      probe: () => Promise.reject(new Error('GET http://127.0.0.1:9/v1/info: connection refused')),
      probeTimeoutMs: 100,
    });
    await breaker.silent('POST /v1/provision had not answered');
    expect(breaker.stopped).toBe(
      'lab stopped answering: POST /v1/provision had not answered; its health probe failed too: ' +
        'GET http://127.0.0.1:9/v1/info: connection refused',
    );
  });

  it('a case that went silent after others were answered still probes, and a failed probe stops the target', async () => {
    const breaker = new CircuitBreaker({
      target: 'lab',
      probe: () => Promise.reject(new Error('GET /info had not answered')),
      probeTimeoutMs: 100,
    });
    const startedBefore = Date.now() - 10_000;
    breaker.answered();
    await breaker.silent('POST /OATHServer.aspx had not answered', startedBefore);
    expect(breaker.stopped).toMatch(/its health probe failed too: GET \/info had not answered$/);
  });
});
