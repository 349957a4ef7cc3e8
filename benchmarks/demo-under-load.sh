#!/usr/bin/env bash
# Runs the README demo N times (default 5), each from a fresh clone of this repository's HEAD, beside the CPU hog
# (benchmarks/cpu-hog.sh: two busy loops), and prints each run's RESULT and baseline line:
#   bash benchmarks/demo-under-load.sh [N]
set -euo pipefail
n="${1:-5}"
case "$n" in ''|*[!0-9]*) echo "demo-under-load.sh: N must be a whole number of runs, was '$n'" >&2; exit 2 ;; esac
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0
for i in $(seq 1 "$n"); do
  git clone -q "$repo" "$work/run-$i"
  start=$(date +%s)
  set +e
  (cd "$work/run-$i" && bash benchmarks/cpu-hog.sh -- mvn -B -q -pl samples/region-drill -am package -DskipTests -Pdrill) \
    > "$work/run-$i.log" 2>&1
  rc=$?
  set -e
  result="$(grep -h '^RESULT' "$work/run-$i.log" || echo 'RESULT: none (see the log)')"
  baseline="$(grep -h '^baseline (no fault)' "$work/run-$i.log" || true)"
  echo "run $i: exit $rc, $(( $(date +%s) - start )) s, $result; $baseline"
  [ "$rc" -eq 0 ] && passed=$((passed + 1))
  cp "$work/run-$i.log" "${TMPDIR:-/tmp}/demo-under-load-$i.log"
  rm -rf "$work/run-$i"
done
echo "$passed of $n runs passed (logs: ${TMPDIR:-/tmp}/demo-under-load-<run>.log)"
[ "$passed" -eq "$n" ]
