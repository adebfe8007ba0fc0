#!/usr/bin/env node
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

enableCompileCache();
const { targetPostgres } = await import("./index.js");
await targetPostgres.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
