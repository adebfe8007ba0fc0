#!/usr/bin/env node
import { tapCsv } from "./index.js";

await tapCsv.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
