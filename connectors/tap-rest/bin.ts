#!/usr/bin/env node
import { tapRest } from "./index.js";

await tapRest.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
