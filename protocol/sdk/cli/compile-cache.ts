import module from "node:module";

/**
 * Turns on Node's on-disk cache of compiled code (`module.enableCompileCache`,
 * Node 22.1 and later; nothing on Node 20): a later start of the same
 * executable reads its modules' bytecode instead of compiling them again.
 * Node keeps the cache in NODE_COMPILE_CACHE's folder, or in the system's
 * temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off. It covers
 * only modules loaded after the call, so an executable calls this first and
 * imports the rest of itself dynamically:
 *
 *     enableCompileCache();
 *     const { tapCsv } = await import("./index.js");
 */
export function enableCompileCache(): void {
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}
