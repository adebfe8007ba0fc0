#!/usr/bin/env node
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

enableCompileCache();
const { targetCsv } = await import("./index.js");
await targetCsv.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
