#!/usr/bin/env bash
# schemathesis against openapi/openapi.yaml and the running local server: starts the built
# `revops serve` on loopback (port 0, a fresh data directory), generates requests from the
# spec (valid and invalid ones, and the 202 → GET status link), and fails on any 5xx or
# any response that does not match the spec's schema. Bounded in time; the server is
# stopped and its data directory removed on every exit.
#
# Usage: scripts/schemathesis.sh   (env: SCHEMATHESIS_MAX_EXAMPLES, default 100;
#        SCHEMATHESIS_TIMEOUT, seconds, default 300; REVOPS_BIN, default: cargo build)
#
# schemathesis comes from PyPI into target/tools-venv, the venv .ci/run makes for cfn-lint.
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-100}"
time_limit="${SCHEMATHESIS_TIMEOUT:-300}"
tools=target/tools-venv

if [ ! -f "$tools/.installed-schemathesis-$version" ]; then
  [ -x "$tools/bin/pip" ] || python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
  touch "$tools/.installed-schemathesis-$version"
fi

if [ -n "${REVOPS_BIN:-}" ]; then
  revops="$REVOPS_BIN"
else
  cargo build --locked --quiet --bin revops
  revops="${CARGO_TARGET_DIR:-target}/debug/revops"
fi

data_dir="$(mktemp -d)"
out="$data_dir/serve.out"
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$data_dir"
}
trap cleanup EXIT

# No WEBHOOK_URL: answers go to the outbox in the data directory.
env -u WEBHOOK_URL LOG_LEVEL=warn \
  "$revops" serve --listen 127.0.0.1:0 --data-dir "$data_dir" >"$out" 2>"$data_dir/serve.err" &
server=$!

base=""
for _ in $(seq 100); do
  base="$(sed -n 's/^revops serve: listening on //p' "$out" | head -n1)"
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$data_dir/serve.err"; echo "revops serve did not start"; exit 1; }
  sleep 0.1
done
[ -n "$base" ] || { echo "revops serve printed no address within 10 s"; exit 1; }
echo "== schemathesis $version against $base (at most $max_examples examples per operation, ${time_limit}s)"

# From the scratch directory, so hypothesis's example database (.hypothesis/) and
# schemathesis's own files land there and go with it.
spec="$PWD/openapi/openapi.yaml"
st="$PWD/$tools/bin/st"
status=0
(cd "$data_dir" && timeout --kill-after=10 "$time_limit" "$st" run "$spec" \
  --url "$base" \
  --checks not_a_server_error,response_schema_conformance \
  --max-examples "$max_examples" \
  --workers 2 \
  --request-timeout 10 \
  --suppress-health-check too_slow \
  --no-color) || status=$?

if ! kill -0 "$server" 2>/dev/null; then
  echo "revops serve died during the run:"
  cat "$data_dir/serve.err"
  status=1
fi
if [ "$status" -ne 0 ]; then
  echo "schemathesis: FAILED (exit $status)"
  tail -n 40 "$data_dir/serve.err" || true
fi
exit "$status"
