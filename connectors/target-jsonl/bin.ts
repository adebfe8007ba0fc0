#!/usr/bin/env node
import { targetJsonl } from "./index.js";

await targetJsonl.main();
