#!/usr/bin/env node
import { tapJsonl } from "./index.js";

await tapJsonl.main();
