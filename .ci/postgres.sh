#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, from Debian's postgresql.
#
#   .ci/postgres.sh install          apt-get install postgresql if its binaries are missing
#   .ci/postgres.sh start DIR PORT   initdb into DIR, start on 127.0.0.1:PORT, print the URL
#   .ci/postgres.sh stop DIR         stop the server whose data is in DIR
#
# The server trusts local connections (it only listens on loopback and lives in
# a temporary folder). As root, it runs as the postgres user: PostgreSQL refuses
# to run as root.
set -euo pipefail

bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1 || true)
  if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
    echo "postgres.sh: PostgreSQL's server binaries are not installed (run .ci/postgres.sh install, or apt-get install postgresql)" >&2
    return 1
  fi
  echo "$dir"
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  install)
    if bindir > /dev/null 2>&1; then exit 0; fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql > /dev/null
    bindir > /dev/null
    ;;
  start)
    dir=${2:?usage: postgres.sh start DIR PORT}
    port=${3:?usage: postgres.sh start DIR PORT}
    bin=$(bindir)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb" --pgdata="$dir/data" --username=agora --auth=trust --encoding=UTF8 --no-sync > "$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    # Sockets in the data folder, TCP on loopback only; fsync off: a test server need not survive a power cut.
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --log="$dir/server.log" --wait --timeout=60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/data -c fsync=off -c max_connections=200" start > /dev/null ||
      { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://agora@127.0.0.1:$port/postgres"
    ;;
  stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(bindir)
    as_owner "$bin/pg_ctl" --pgdata="$dir/data" --mode=fast --wait stop > /dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh install | start DIR PORT | stop DIR" >&2
    exit 2
    ;;
esac
