#!/usr/bin/env node
import { setFlagsFromString } from "node:v8";
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

// Decoded pages are large arrays that V8 moves to its old generation and frees only at a full collection: growing
// that generation by half (not up to fourfold) after each one keeps the garbage down (the bench file at 163 against
// 228 MiB peak, same CPU; docs/performance.md). A setting of the user's own, in NODE_OPTIONS or node's flags, wins.
if (![process.env["NODE_OPTIONS"] ?? "", ...process.execArgv].some((flag) => flag.includes("heap-growing-percent"))) {
  setFlagsFromString("--heap-growing-percent=50");
}

enableCompileCache();
const { tapParquet } = await import("./index.js");
await tapParquet.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
