#!/usr/bin/env node
import { targetDuckdb } from "./index.js";

await targetDuckdb.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
