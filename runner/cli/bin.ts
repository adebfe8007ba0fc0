#!/usr/bin/env -S node --max-semi-space-size=8
// The runner's young generation is capped at 8 MiB: left to itself V8 doubles it partway
// through a long run, which made peak RSS grow with input size (86 → 107 MB from 1M to 5M
// records); capped, it stays flat at the same throughput (bench/RESULTS.md).
import { enableCompileCache } from "../../protocol/sdk/cli/compile-cache.js";

enableCompileCache();
const { main } = await import("./program.js");
await main(process.argv.slice(2));
