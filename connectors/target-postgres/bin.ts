#!/usr/bin/env node
import { targetPostgres } from "./index.js";

await targetPostgres.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
