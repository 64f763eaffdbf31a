// A module hook (node:module register) that lets a config file outside this package import
// 'provisioning-harness': when the name does not resolve from the config's folder (the package is not
// installed there), it resolves to the harness that is running. Plain JavaScript: hooks run on a loader
// thread of their own, before any TypeScript loader.
let entry = '';

/** @param {{ entry: string }} data */
export function initialize(data) {
  entry = data.entry;
}

/**
 * @param {string} specifier
 * @param {unknown} context
 * @param {(specifier: string, context: unknown) => Promise<{ url: string }>} nextResolve
 */
export async function resolve(specifier, context, nextResolve) {
  if (specifier !== 'provisioning-harness') return nextResolve(specifier, context);
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const code = /** @type {{ code?: unknown } | null} */ (error)?.code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw error;
    return { url: entry, shortCircuit: true };
  }
}
