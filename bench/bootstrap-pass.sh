#!/usr/bin/env bash
# The analysis pass alone (bootstrap intervals and comparisons) over a written sequences/, per replicate count.
#   bench/bootstrap-pass.sh [--output bench/work/out] [--replicates 0,200,1000] [--iterations 5]
# Run bench/score-vs-scan.sh first: it leaves the output folder behind.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens ${JAVA_OPTS:--Xmx8g} -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  dev.softmetrics.bench.BootstrapPass "$@"
