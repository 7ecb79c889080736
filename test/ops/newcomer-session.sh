#!/usr/bin/env bash
# A newcomer's first session with IT Buddy, start to finish: install a fresh copy, start it, ask a question, file a
# request, export the data, import it into MongoDB, start on MongoDB and see the same requests there.
#
# Usage: TEST_MONGODB_URI=mongodb://127.0.0.1:27017/ test/ops/newcomer-session.sh
#   (eval "$(bash .ci/start-ferretdb.sh)" starts a throwaway FerretDB and sets it). Needs Node.js 24 on PATH and
#   the npm cache filled by an earlier `npm ci` in the repository: the install runs offline. Talks to loopback only.
# Prints one "newcomer: ..." line per step on stderr; exits 0 when every step did what a newcomer expects.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
: "${TEST_MONGODB_URI:?set TEST_MONGODB_URI, e.g. eval \"\$(bash .ci/start-ferretdb.sh)\"}"
work="$(mktemp -d -t itbuddy-newcomer.XXXXXX)"
app="$work/itbuddy"
database="itbuddy_newcomer_$$_$RANDOM"
mongo_uri="${TEST_MONGODB_URI%/}/$database"
server_pid=""

step() { echo "newcomer: [$(date +%T)] $*" >&2; }
fail() {
  echo "newcomer: FAILED: $*" >&2
  if [ -f "$work/server.log" ]; then tail -n 20 "$work/server.log" >&2; fi
  exit 1
}

stop_server() {
  if [ -n "$server_pid" ]; then
    # npm start runs node as its child: stop the whole process group, then wait for it.
    kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 -- "-$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}

cleanup() {
  stop_server
  if [ -d "$app/node_modules/mongoose" ]; then
    (cd "$app" && MONGO="$TEST_MONGODB_URI" DB="$database" node --input-type=module -e '
      import mongoose from "mongoose";
      const c = await mongoose.createConnection(process.env.MONGO, { serverSelectionTimeoutMS: 3000 }).asPromise();
      await c.useDb(process.env.DB).dropDatabase();
      await c.close();' 2>/dev/null) || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
# A stop from outside (a time limit) still runs the clean-up above.
trap 'exit 143' TERM INT

# Starts `npm start` with the given extra settings in its own process group and waits for its address.
start_server() {
  : >"$work/server.log"
  # setsid makes npm the leader of a new process group (so its node child can be stopped with it); its output goes
  # to the log alone, so nothing of the server holds this script's output open.
  (cd "$app" && exec env "$@" setsid npm start >"$work/server.log" 2>&1 </dev/null) &
  server_pid=$!
  for _ in $(seq 1 600); do
    url="$(sed -n 's/.*"url":"\(http:\/\/127\.0\.0\.1:[0-9]*\)".*/\1/p' "$work/server.log" | head -n 1)"
    if [ -n "$url" ]; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited during start-up"
    sleep 0.1
  done
  fail "the server did not say it was up within 60 s"
}

# One chat turn on the web channel: chat USER JSON-INPUT → the JSON replies on stdout.
chat() {
  # As a browser would: the session cookie the server set on the first turn comes back on every later one
  # (one cookie file per person), and the server knows the person by it, never by a field in the body.
  URL="$url" JAR="$work/cookie-$1" INPUT="$2" node --input-type=module -e '
    import { existsSync, readFileSync, writeFileSync } from "node:fs";
    const jar = process.env.JAR;
    const cookie = existsSync(jar) ? readFileSync(jar, "utf8") : "";
    const res = await fetch(`${process.env.URL}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
      body: process.env.INPUT,
    });
    if (res.status !== 200) { console.error(`chat answered ${res.status}`); process.exit(1); }
    const set = res.headers.getSetCookie().map((c) => c.split(";")[0]).find((c) => c.startsWith("itbuddy_session="));
    if (set) writeFileSync(jar, set, { mode: 0o600 });
    process.stdout.write(JSON.stringify((await res.json()).replies));'
}


# ── Install ──────────────────────────────────────────────────────────────────────────────────────────────
step "install: a fresh copy of the repository, then npm ci"
mkdir -p "$app"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$app"
else
  tar -C "$repo" --exclude=./node_modules --exclude=./.git --exclude=./data -cf - . | tar -xf - -C "$app"
fi
(cd "$app" && npm ci --offline --no-audit --no-fund --loglevel=error >"$work/install.log" 2>&1) ||
  { tail -n 20 "$work/install.log" >&2; fail "npm ci (offline) failed: run npm ci in the repository first"; }
cp "$app/.env.example" "$app/.env"

common=(NODE_ENV=development LOG_LEVEL=info PORT=0 HOST=127.0.0.1 KB_WATCH=false
  DATA_DIR="$work/data" IT_DESTINATIONS=web:it)

# ── Start ────────────────────────────────────────────────────────────────────────────────────────────────
step "start: npm start on the embedded store"
start_server "${common[@]}"
ready="$(URL="$url" node --input-type=module -e 'const r = await fetch(`${process.env.URL}/readyz`); process.stdout.write(String(r.status));')"
[ "$ready" = "200" ] || fail "/readyz answered $ready"
step "up at $url"

# ── Ask ──────────────────────────────────────────────────────────────────────────────────────────────────
step "ask: how do I connect to the VPN?"
answer="$(chat nina '{"text":"how do I connect to the VPN?"}')"
echo "$answer" | grep -qi 'vpn' || fail "no VPN answer: $answer"

# ── Request ──────────────────────────────────────────────────────────────────────────────────────────────
step "request: I need Visio installed"
replies="$(chat nina '{"text":"request I need Visio installed"}')"
reference=""
for _ in $(seq 1 12); do
  reference="$(echo "$replies" | grep -o 'Saved as \*\*IT-[0-9]*' | grep -o 'IT-[0-9]*' | head -n 1 || true)"
  [ -n "$reference" ] && break
  # Confirm when the summary offers it, else press the first choice, else answer the question in words that fit it.
  next="$(REPLIES="$replies" node --input-type=module -e '
    const replies = JSON.parse(process.env.REPLIES);
    const actions = replies.flatMap((r) => [...(r.actions ?? []), ...(r.options ?? [])]).map((a) => a.action).filter(Boolean);
    const confirm = actions.find((a) => a.id === "intake.confirm");
    const choice = replies.find((r) => r.type === "choices")?.options?.[0]?.action;
    const asked = replies.filter((r) => r.type === "text").map((r) => r.text).join(" ");
    const words = /by when/i.test(asked) ? "no rush" : /who is it for|for whom/i.test(asked) ? "just me" : "I draw the floor plans for the office move";
    process.stdout.write(JSON.stringify(confirm ? { action: confirm } : choice ? { action: choice } : { text: words }));')"
  replies="$(chat nina "$next")"
done
[ -n "$reference" ] || fail "the request was not saved: $replies"
step "saved as $reference"

# ── Export (while the bot runs) ──────────────────────────────────────────────────────────────────────────
step "export: itbuddy data export --out move.jsonl, with the bot still running"
(cd "$app" && env "${common[@]}" LOG_LEVEL=silent node bin/itbuddy.js data export --out "$work/move.jsonl") ||
  fail "data export failed"
head -n 1 "$work/move.jsonl" | grep -q '"type":"manifest"' || fail "the export has no manifest line"
stop_server

# ── Import into MongoDB ──────────────────────────────────────────────────────────────────────────────────
step "import: MONGODB_URI=… itbuddy data import move.jsonl"
imported="$(cd "$app" && env "${common[@]}" LOG_LEVEL=silent MONGODB_URI="$mongo_uri" node bin/itbuddy.js data import "$work/move.jsonl")" ||
  fail "data import failed: $imported"
echo "$imported" | grep -q '^Verified: ' || fail "the import did not verify: $imported"
echo "$imported" | grep -Eq '^requests +1 +1 +1 +ok$' || fail "the request was not imported: $imported"

# ── Start on MongoDB ─────────────────────────────────────────────────────────────────────────────────────
step "start: npm start on MongoDB"
start_server "${common[@]}" MONGODB_URI="$mongo_uri"
grep -q '"store":"mongo"' "$work/server.log" || fail "the server did not start on MongoDB"

# ── See the same requests ────────────────────────────────────────────────────────────────────────────────
step "see: status $reference and my requests, on MongoDB"
status="$(chat nina "{\"text\":\"status $reference\"}")"
echo "$status" | grep -q "$reference" || fail "status $reference does not show it: $status"
echo "$status" | grep -qi 'visio' || fail "status $reference lost its title: $status"
mine="$(chat nina '{"text":"my requests"}')"
echo "$mine" | grep -q "$reference" || fail "my requests does not list $reference: $mine"
report="$(cd "$app" && env "${common[@]}" LOG_LEVEL=silent MONGODB_URI="$mongo_uri" node bin/itbuddy.js report)"
echo "$report" | grep -q 'Requests: 1' || fail "the report on MongoDB does not count the request: $report"

step "done: every step of the session worked"
