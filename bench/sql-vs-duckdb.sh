#!/usr/bin/env bash
# Whole-process time of `bin/softmetrics sql` against a fresh JVM running DuckDB over JDBC (FreshDuckDbQuery), on
# the same query and the same output folder, alternated, one process at a time; prints each pair, the medians
# and their ratio.
#   bench/sql-vs-duckdb.sh --output DIR [--runs 7] [--query "SELECT ..."]
# DIR is one run's output folder, e.g. demo-output/heldout after `bin/softmetrics demo`.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output=""
runs=7
query="SELECT model, domain, bits_per_byte, bits_per_byte_ci_low, bits_per_byte_ci_high FROM corpus ORDER BY model, domain"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --output) output="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --query) query="$2"; shift 2 ;;
    *) echo "sql-vs-duckdb: error: Unknown option: '$1' (see the usage at the top of $0)" >&2; exit 2 ;;
  esac
done
if [[ -z "$output" || ! -d "$output/corpus" ]]; then
  echo "sql-vs-duckdb: error: Invalid --output: '$output' (must be one run's output folder, e.g. demo-output/heldout)" >&2
  exit 2
fi

# Build first (bin/softmetrics builds on first use; the bench module holds the baseline), so no run pays for it.
(cd "$home" && mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2)
"$home/bin/softmetrics" sql "SELECT 1" --output "$output" >/dev/null
baseline_cp="$home/bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat "$home/job/target/duckdb-classpath.txt")"

millis() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null
  end=$(date +%s%N)
  echo $(((end - start) / 1000000))
}

median() {
  sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

sql_times=()
duck_times=()
for ((i = 1; i <= runs; i++)); do
  # Alternate which goes first, so that neither always runs on a cache the other warmed.
  if ((i % 2)); then
    s=$(millis "$home/bin/softmetrics" sql "$query" --output "$output" --csv)
    d=$(millis java -cp "$baseline_cp" dev.softmetrics.bench.FreshDuckDbQuery "$output" "$query")
  else
    d=$(millis java -cp "$baseline_cp" dev.softmetrics.bench.FreshDuckDbQuery "$output" "$query")
    s=$(millis "$home/bin/softmetrics" sql "$query" --output "$output" --csv)
  fi
  sql_times+=("$s")
  duck_times+=("$d")
  echo "run $i: bin/softmetrics sql ${s} ms, fresh DuckDB JVM ${d} ms"
done
sql_median=$(printf '%s\n' "${sql_times[@]}" | median)
duck_median=$(printf '%s\n' "${duck_times[@]}" | median)
echo "median: bin/softmetrics sql ${sql_median} ms, fresh DuckDB JVM ${duck_median} ms," \
  "ratio $(awk -v a="$sql_median" -v b="$duck_median" 'BEGIN { printf "%.2f", a / b }')" \
  "(load average $(cut -d' ' -f1-3 /proc/loadavg))"
