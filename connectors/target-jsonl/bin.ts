#!/usr/bin/env node
import { targetJsonl } from "./index.js";

await targetJsonl.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
