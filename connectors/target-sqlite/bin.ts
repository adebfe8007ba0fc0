#!/usr/bin/env node
import { targetSqlite } from "./index.js";

await targetSqlite.main();
