#!/usr/bin/env bash
# JMH benchmarks of the kernels: ns per UTF-8 byte (TextCountBench, per language), ns per log-prob
# (LogprobSumBench, float and double), ns per vocabulary element (SoftmaxBench, scalar and Vector API).
#   bench/kernels.sh [JMH options, e.g. TextCountBench -f 1 -wi 3 -i 5]
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
mvn -B -q -DskipTests -Dspotless.check.skip=true -pl bench -am package >&2
opens=$(sed -n 's:.*<java17.opens>\(.*\)</java17.opens>.*:\1:p' pom.xml)
# shellcheck disable=SC2086
exec java $opens -cp "bench/target/softmetrics-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/bench-classpath.txt)" \
  org.openjdk.jmh.Main -jvmArgsPrepend "$opens" "${@:-dev.softmetrics.bench.kernels}"
