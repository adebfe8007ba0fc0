#!/usr/bin/env node
import { tapJsonl } from "./index.js";

await tapJsonl.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
