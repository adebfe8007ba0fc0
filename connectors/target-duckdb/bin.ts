#!/usr/bin/env node
import { targetDuckdb } from "./index.js";

await targetDuckdb.main();
