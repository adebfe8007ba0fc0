#!/usr/bin/env node
import { tapParquet } from "./index.js";

await tapParquet.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
