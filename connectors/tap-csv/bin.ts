#!/usr/bin/env node
import { tapCsv } from "./index.js";

await tapCsv.main();
