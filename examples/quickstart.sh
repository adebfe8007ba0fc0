#!/usr/bin/env bash
# The quick start: a real pipeline on generated sample data into the embedded
# default, SQLite, through the runner. `agora init` makes a project whose sample
# pipeline is tap-sample (1,000 users, 5,000 orders) → hash e-mails, derive a
# field → target-sqlite; `agora run` runs it with confirmed checkpoints; then a
# query over what landed.
set -euo pipefail
cd "$(dirname "$0")/.."
agora="$PWD/dist/runner/cli/bin.js"

demo=.agora/demo
rm -rf "$demo"
$agora init "$demo" 2>/dev/null
cd "$demo"

echo "\$ agora run sample"
$agora run sample --no-progress
echo
node ../../examples/show-demo.mjs warehouse.db
echo
echo "\$ agora state show sample     # where the next run resumes"
$agora state show sample 2>/dev/null
