#!/usr/bin/env bash
# The job against DuckDB (JDBC, same cores) on the same log-prob shards, in one run; then whole-process times.
#   bench/score-vs-duckdb.sh [--mb 400] [--iterations 5] [--processes 3] [--work bench/work]
# Shares its corpus with score-vs-scan.sh (cached under --work); prints warm medians, ratios and a cross-check.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.ScoreVsDuckDb "$@"
