#!/usr/bin/env bash
# Starts a throwaway FerretDB (SQLite backend) on loopback for the MongoDB contract suite; installs it first if needed.
#
# Usage:  eval "$(bash .ci/start-ferretdb.sh)"   then run the tests, then: kill "$FERRETDB_PID"
# Prints only `export ...` lines on stdout; progress and errors go to stderr.
# Env: FERRETDB_PORT (default: 27117, or a free port when that one is taken), FERRETDB_VERSION (default v1.24.2).
set -euo pipefail

version="${FERRETDB_VERSION:-v1.24.2}"
module="github.com/FerretDB/FerretDB"

log() { echo "start-ferretdb: $*" >&2; }

# Go's usual install places, for shells whose PATH lacks them.
PATH="$PATH:/usr/local/go/bin:$HOME/go/bin"

# A usable binary answers --version; a build without build/version/version.txt panics at start-up instead.
works() { [ -n "$1" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

find_binary() {
  local candidate
  candidate="$(command -v ferretdb || true)"
  if works "$candidate"; then echo "$candidate"; return 0; fi
  if command -v go >/dev/null 2>&1; then
    candidate="$(go env GOPATH)/bin/ferretdb"
    if works "$candidate"; then echo "$candidate"; return 0; fi
  fi
  return 1
}

install_ferretdb() {
  command -v go >/dev/null 2>&1 || { log "Go is not installed: cannot build FerretDB"; return 1; }
  local bin_dir
  bin_dir="$(go env GOPATH)/bin"
  mkdir -p "$bin_dir"
  log "installing FerretDB $version with go install"
  if GOTOOLCHAIN=local go install "$module/cmd/ferretdb@$version" >&2 && works "$bin_dir/ferretdb"; then
    return 0
  fi
  # Fallback: `go install` can fail (a proxy that refuses the version list) or produce a binary that panics because
  # the module zip lacks the generated build/version/version.txt. Download the exact version and build a copy of it.
  log "go install did not give a working binary; building from the module source"
  local dir build
  dir="$(GOTOOLCHAIN=local go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')"
  [ -d "$dir" ] || { log "go mod download gave no source directory"; return 1; }
  build="$(mktemp -d)"
  cp -r "$dir"/. "$build"/
  chmod -R u+w "$build"
  echo "$version" >"$build/build/version/version.txt"
  (cd "$build" && GOTOOLCHAIN=local go build -o "$bin_dir/ferretdb" ./cmd/ferretdb) >&2
  rm -rf "$build"
  works "$bin_dir/ferretdb"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local port="${FERRETDB_PORT:-27117}"
  local tries=0
  while port_open "$port"; do
    tries=$((tries + 1))
    [ "$tries" -lt 50 ] || { log "no free port found near ${FERRETDB_PORT:-27117}"; return 1; }
    port=$((20000 + RANDOM % 20000))
  done
  echo "$port"
}

binary="$(find_binary || true)"
if [ -z "$binary" ]; then
  install_ferretdb || { log "could not install FerretDB $version"; exit 1; }
  binary="$(find_binary)"
fi
log "using $binary ($("$binary" --version | head -n 1))"

data_dir="$(mktemp -d -t ferretdb.XXXXXX)"
port="$(pick_port)"
"$binary" --handler=sqlite --sqlite-url="file:$data_dir/" --state-dir="$data_dir" \
  --listen-addr="127.0.0.1:$port" --debug-addr=- --telemetry=disable --log-level=WARN \
  >"$data_dir/ferretdb.log" 2>&1 </dev/null &
pid=$!

# Wait (at most ~30 s) until the port accepts connections; stop early if the process died.
for _ in $(seq 1 120); do
  if port_open "$port"; then
    log "FerretDB listening on 127.0.0.1:$port (pid $pid, data $data_dir)"
    echo "export TEST_MONGODB_URI=mongodb://127.0.0.1:$port/"
    echo "export FERRETDB_PID=$pid"
    echo "export FERRETDB_DIR=$data_dir"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    log "FerretDB exited during start-up; its log:"
    cat "$data_dir/ferretdb.log" >&2
    exit 1
  fi
  sleep 0.25
done
log "FerretDB did not accept connections within 30 s; its log:"
cat "$data_dir/ferretdb.log" >&2
kill "$pid" 2>/dev/null || true
exit 1
