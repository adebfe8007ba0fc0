#!/usr/bin/env node
import { targetParquet } from "./index.js";

await targetParquet.main(process.argv.slice(2), { compiledSettings: new URL("./settings-validator.cjs", import.meta.url) });
