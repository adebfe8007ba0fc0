#!/usr/bin/env node
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

enableCompileCache();
const { targetSqlite } = await import("./index.js");
await targetSqlite.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
