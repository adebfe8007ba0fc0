#!/usr/bin/env node
import { tapRest } from "./index.js";

await tapRest.main();
