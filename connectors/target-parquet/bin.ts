#!/usr/bin/env node
import { targetParquet } from "./index.js";

await targetParquet.main();
