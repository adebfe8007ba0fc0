#!/usr/bin/env node
import { targetCsv } from "./index.js";

await targetCsv.main();
