#!/usr/bin/env node
import { targetCsv } from "./index.js";

await targetCsv.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
