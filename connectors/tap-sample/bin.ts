#!/usr/bin/env node
import { tapSample } from "./index.js";

await tapSample.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
