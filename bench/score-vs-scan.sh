#!/usr/bin/env bash
# The job's scoring wall time against a bare Spark scan of the same log-prob column, from one run.
#   bench/score-vs-scan.sh [--mb 400] [--iterations 5] [--work bench/work] [--timeline] [--set key=value ...]
# Generates the corpus once (cached under --work), then alternates scan and score; prints the warm ratio.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens ${JAVA_OPTS:--Xmx8g} -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  dev.softmetrics.bench.ScoreVsScan "$@"
