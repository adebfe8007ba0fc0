#!/usr/bin/env node
import { tapParquet } from "./index.js";

await tapParquet.main();
