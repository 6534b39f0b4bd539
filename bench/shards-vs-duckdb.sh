#!/usr/bin/env bash
# The speed targets as whole processes: bin/softmetrics score against a fresh JVM running DuckDB's GROUP BY, on 2 and
# on 8 shards of 120,000 rows x 512 float log-probs (1.9 GB, written by DuckDB under bench/work on first use),
# alternated; prints medians, peak RSS, both ratios and PASS/FAIL.
#   bench/shards-vs-duckdb.sh [--rounds 3] [--small 2] [--large 8] [--rows 120000] [--work bench/work]
#                             [--before OTHER_BUILT_CHECKOUT] [--spark-scan] [--opts NAME=JAVA_OPTIONS]...
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.ShardsVsDuckDb "$@"
