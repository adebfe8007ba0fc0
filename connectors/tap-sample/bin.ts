#!/usr/bin/env node
import { tapSample } from "./index.js";

await tapSample.main();
