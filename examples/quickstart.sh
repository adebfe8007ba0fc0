#!/usr/bin/env bash
# The quick start: a real pipeline on generated sample data into the embedded
# default, SQLite. tap-sample (1,000 users, 5,000 orders) | target-sqlite, then
# a query over what landed and the STATE the target confirmed once committed.
set -euo pipefail
cd "$(dirname "$0")/.."

demo=.agora/demo
rm -rf "$demo"
mkdir -p "$demo"
printf '{"users": 1000, "orders": 5000}\n' > "$demo/tap.json"
printf '{"database": "%s/warehouse.db"}\n' "$demo" > "$demo/target.json"

echo "\$ tap-sample --config $demo/tap.json | target-sqlite --config $demo/target.json"
node dist/connectors/tap-sample/bin.js --config "$demo/tap.json" \
  | node dist/connectors/target-sqlite/bin.js --config "$demo/target.json" > "$demo/confirmed-state.jsonl"

echo
node examples/show-demo.mjs "$demo/warehouse.db"
echo
echo "Last STATE the target confirmed (give its value to the tap with --state to resume):"
tail -n 1 "$demo/confirmed-state.jsonl"
