#!/usr/bin/env bash
# A prototype of the speed issue's next step: one shard's sequences/ rows (120,000 x 25 columns) written by Spark's
# row writer and by Parquet's column writers fed from primitive arrays, alternated in one JVM; warm medians, and
# DuckDB's check that both files hold the same rows.
#   bench/sequence-writers.sh [--rows 120000] [--iterations 7] [--work bench/work]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.SequenceWriters "$@"
