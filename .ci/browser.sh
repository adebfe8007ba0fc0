#!/usr/bin/env bash
# Debian's Chromium for the console's browser tests (playwright-core drives it; nothing is downloaded).
#
#   .ci/browser.sh install   apt-get install chromium if it is missing
set -euo pipefail

case "${1:-}" in
  install)
    if command -v chromium > /dev/null 2>&1; then exit 0; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium > /dev/null
    command -v chromium > /dev/null
    ;;
  *)
    echo "usage: .ci/browser.sh install" >&2
    exit 2
    ;;
esac
