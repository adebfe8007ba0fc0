#!/usr/bin/env bash
# The quick start: a real pipeline on generated sample data.
# tap-sample (1,000 users, 5,000 orders) | target-jsonl, then shows what landed
# and the STATE the target confirmed once the records were on disk.
set -euo pipefail
cd "$(dirname "$0")/.."

demo=.agora/demo
rm -rf "$demo"
mkdir -p "$demo"
printf '{"users": 1000, "orders": 5000}\n' > "$demo/tap.json"
printf '{"destination_path": "%s/data"}\n' "$demo" > "$demo/target.json"

echo "\$ tap-sample --config $demo/tap.json | target-jsonl --config $demo/target.json"
node dist/connectors/tap-sample/bin.js --config "$demo/tap.json" \
  | node dist/connectors/target-jsonl/bin.js --config "$demo/target.json" > "$demo/confirmed-state.jsonl"

echo
for file in "$demo"/data/*.jsonl; do
  printf '%-28s %6d records\n' "$file" "$(wc -l < "$file")"
done
echo
echo "first user:"
head -n 1 "$demo/data/users.jsonl"
echo
echo "last STATE confirmed by the target (pass it to the tap with --state to resume):"
tail -n 1 "$demo/confirmed-state.jsonl"
