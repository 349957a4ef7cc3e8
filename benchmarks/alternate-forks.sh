#!/usr/bin/env bash
# Runs WrapperOverheadBenchmark's raw and wrapped benchmarks as alternating single-fork JMH runs, swapping the
# order every round, so that a slow stretch of this machine cannot land on one side only (JMH itself runs every
# fork of one benchmark before the next). Prints one line per fork.
# Usage: bash benchmarks/alternate-forks.sh [ROUNDS]   (after: mvn -B -q -pl benchmarks -am package -Dmaven.test.skip=true)
set -euo pipefail
cd "$(dirname "$0")/.."
jar=benchmarks/target/benchmarks.jar
rounds=${1:-5}
out=$(mktemp -d)
for i in $(seq 1 "$rounds"); do
  if (( i % 2 )); then order="raw wrapped"; else order="wrapped raw"; fi
  for b in $order; do
    java -jar "$jar" "WrapperOverheadBenchmark\.$b\$" -prof gc -f 1 -wi 5 -w 2s -i 8 -r 2s \
        -rf json -rff "$out/${b}_$i.json" > "$out/${b}_$i.log" 2>&1
    python3 - "$out/${b}_$i.json" "$i" "$b" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
p = d["primaryMetric"]
alloc = d["secondaryMetrics"]["gc.alloc.rate.norm"]["score"]
print("round %s %-7s %8.0f +- %5.0f ns/op  %6.0f B/op" % (sys.argv[2], sys.argv[3], p["score"], p["scoreError"], alloc))
PY
  done
done
rm -rf "$out"
