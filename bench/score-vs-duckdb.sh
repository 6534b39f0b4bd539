#!/usr/bin/env bash
# The job against DuckDB (JDBC, same cores) on the same log-prob shards, in one run; then whole-process times.
#   bench/score-vs-duckdb.sh [--mb 400] [--iterations 5] [--processes 3] [--work bench/work]
# Shares its corpus with score-vs-scan.sh (cached under --work); prints warm medians, ratios and a cross-check.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens ${JAVA_OPTS:--Xmx8g} -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  dev.softmetrics.bench.ScoreVsDuckDb "$@"
