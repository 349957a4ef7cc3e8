#!/usr/bin/env bash
# Runs a command while N busy-looping processes (default 2) compete for the CPU, as on a busy 2-core container:
#   bash benchmarks/cpu-hog.sh [-n N] -- <command> [args...]
# Without a command it hogs until interrupted. The busy loops are always stopped when it exits.
set -euo pipefail
n=2
while [ $# -gt 0 ]; do
  case "$1" in
    -n) n="$2"; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
case "$n" in ''|*[!0-9]*) echo "cpu-hog.sh: -n must be a whole number of busy loops, was '$n'" >&2; exit 2 ;; esac

pids=()
stop() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT INT TERM
for _ in $(seq 1 "$n"); do
  ( trap - INT TERM; while :; do :; done ) &
  pids+=("$!")
done
echo "cpu-hog.sh: $n busy loops running (pids ${pids[*]})" >&2

if [ $# -eq 0 ]; then
  wait
else
  set +e
  "$@"
  rc=$?
  exit "$rc"
fi
