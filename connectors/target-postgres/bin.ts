#!/usr/bin/env node
import { targetPostgres } from "./index.js";

await targetPostgres.main();
