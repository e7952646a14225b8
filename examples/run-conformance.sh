#!/usr/bin/env bash
# Runs the conformance suite against a server started by a command, in any CI:
#   examples/run-conformance.sh 'go run . --port 8090' http://127.0.0.1:8090
# Exit status: the suite's (0 conforms, 1 a MUST failed, 2 usage or unreachable, 3 interrupted,
# 4 not trusted: the traffic profile's minimal rate was not reached).
set -euo pipefail
start_command=${1:?usage: run-conformance.sh START_COMMAND URL [suite flags...]}
url=${2:?usage: run-conformance.sh START_COMMAND URL [suite flags...]}
shift 2

bash -c "$start_command" > server.log 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT

for attempt in $(seq 1 60); do
  if curl --silent --output /dev/null "$url/wallet"; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server exited before it answered; see server.log" >&2
    exit 2
  fi
  sleep 1
done

mkdir -p reports
npx --yes wallet-sync-conformance --url "$url" --junit reports/conformance.xml --json reports/conformance.json --html reports/conformance.html "$@"
