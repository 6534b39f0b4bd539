#!/usr/bin/env bash
# What reading every input footer before a run costs: on the driver (the job's way) against a small Spark job.
#   bench/footer-reads.sh [--files 10,1000] [--iterations 7] [--work bench/work]
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens ${JAVA_OPTS:--Xmx2g} -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  dev.softmetrics.bench.FooterReads "$@"
