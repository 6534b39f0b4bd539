#!/usr/bin/env bash
# The job's wall time on logits shards against a bare Spark scan of the same blob columns, from one run.
#   bench/logits-vs-scan.sh [--mb 1000] [--vocab 32000] [--dtype bfloat16|float16|float32] [--ref] [--chunk 64]
#                           [--iterations 5] [--work bench/work]
# Generates the corpus once (cached under --work), then alternates scan, reader and score; prints the warm ratios.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens --add-modules jdk.incubator.vector ${JAVA_OPTS:--Xmx8g} \
  -Dlog4j2.configurationFile="$home/conf/log4j2.properties" \
  -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  dev.softmetrics.bench.LogitsVsScan "$@"
