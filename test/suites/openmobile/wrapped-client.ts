/**
 * Test helpers: an Open Mobile client that behaves as the emulated one except where a test changes it (a
 * result code it gives otherwise, state it keeps across requests), to show what the judge permits or
 * catches in a client nobody here wrote.
 */
import { DRIVERS } from '../../../src/cli/builtins.ts';
import type { DriverFactory } from '../../../src/core/driver.ts';
import type {
  ClientDriver,
  ClientSession,
  ProvisionObservation,
  ProvisionRequest,
} from '../../../protocols/openmobile/types.ts';

/** A session that forwards every call to `inner`, but those `overrides` replaces. */
export function wrapSession(inner: ClientSession, overrides: Partial<ClientSession>): ClientSession {
  return {
    reset: (url, signal) => inner.reset(url, signal),
    provision: (request, signal) => inner.provision(request, signal),
    state: (signal) => inner.state(signal),
    logs: (signal) => inner.logs(signal),
    network: (online, signal) => inner.network(online, signal),
    close: () => inner.close(),
    ...overrides,
  };
}

/** The emulated driver, each of its sessions passed through `wrap` as it opens. */
export function emulatedWith(wrap: (session: ClientSession) => ClientSession): DriverFactory {
  return async (options, context) => {
    const inner = (await DRIVERS.emulated(options, context)) as ClientDriver;
    return {
      maxSessions: inner.maxSessions,
      info: () => inner.info(),
      stop: () => inner.stop(),
      openSession: async () => wrap(await inner.openSession()),
    } satisfies ClientDriver;
  };
}

/** The built-in drivers, with the emulated one's handled answers passed through `alter`. */
export function alteringAnswers(
  alter: (observed: ProvisionObservation, request: ProvisionRequest) => ProvisionObservation,
): Readonly<Record<string, DriverFactory>> {
  const emulated = emulatedWith((session) =>
    wrapSession(session, {
      async provision(request, signal) {
        const observed = await session.provision(request, signal);
        return observed.handled ? alter(observed, request) : observed;
      },
    }),
  );
  return { ...DRIVERS, emulated };
}
