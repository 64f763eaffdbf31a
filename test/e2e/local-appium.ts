import { afterAll, beforeAll } from 'vitest';
import { startLocalAppium, type LocalAppium } from '../../drivers/appium/server.ts';

/**
 * One real Appium server (with the harness-virtual driver) for the enclosing describe block or file, as a
 * lab runs one for its devices: started before its tests, stopped after them. Read `url` inside a test.
 */
export function useLocalAppium(
  env: Record<string, string>,
  options: { allowDriverScripts?: boolean } = {},
): { readonly url: string } {
  let appium: LocalAppium | undefined;
  beforeAll(async () => {
    appium = await startLocalAppium(env, options);
  }, 120_000);
  afterAll(async () => {
    await appium?.stop();
  });
  return {
    get url(): string {
      if (appium === undefined) throw new Error('the Appium server is not started yet: read url inside a test');
      return appium.url;
    },
  };
}
