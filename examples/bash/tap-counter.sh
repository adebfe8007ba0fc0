#!/usr/bin/env bash
# A Singer tap in plain bash: one stream, `ticks`, counting from 1 to N.
# N comes from the config's "count" (default 10). Not resumable: it claims no
# `state` capability and writes no STATE.
#
#   bash tap-counter.sh --config config.json | target-jsonl --config target.json
set -euo pipefail

count=10
mode=sync
while [ $# -gt 0 ]; do
  case "$1" in
    --about) mode=about ;;
    --discover|-d) mode=discover ;;
    --test_connection|--test-connection) mode=test ;;
    --config|-c)
      shift
      [ -r "$1" ] || { echo "tap-counter error: cannot read --config file $1" >&2; exit 3; }
      value=$(sed -n 's/.*"count"[[:space:]]*:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$1")
      [ -n "$value" ] && count=$value
      ;;
    --catalog|--properties|--state|--format) shift ;;
    *) echo "tap-counter error: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

schema='{"type":"object","properties":{"n":{"type":"integer"},"square":{"type":"integer"},"label":{"type":"string"}},"required":["n"]}'

case "$mode" in
  about)
    echo '{"name":"tap-counter","version":"1.0.0","capabilities":["about","discover"],"settings":{"type":"object","properties":{"count":{"type":"integer","default":10}}}}'
    ;;
  discover)
    echo "{\"streams\":[{\"tap_stream_id\":\"ticks\",\"stream\":\"ticks\",\"key_properties\":[\"n\"],\"schema\":$schema,\"metadata\":[{\"breadcrumb\":[],\"metadata\":{\"selected-by-default\":true}}]}]}"
    ;;
  test)
    echo "tap-counter: connection ok" >&2
    ;;
  sync)
    echo "{\"type\":\"SCHEMA\",\"stream\":\"ticks\",\"schema\":$schema,\"key_properties\":[\"n\"]}"
    for ((n = 1; n <= count; n++)); do
      printf '{"type":"RECORD","stream":"ticks","record":{"n":%d,"square":%d,"label":"tick %d"}}\n' "$n" $((n * n)) "$n"
    done
    ;;
esac
