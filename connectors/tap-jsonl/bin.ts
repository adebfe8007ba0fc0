#!/usr/bin/env node
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

enableCompileCache();
const { tapJsonl } = await import("./index.js");
await tapJsonl.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
