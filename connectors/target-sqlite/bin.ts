#!/usr/bin/env node
import { targetSqlite } from "./index.js";

await targetSqlite.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
