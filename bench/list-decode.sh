#!/usr/bin/env bash
# A prototype for the speed issue's remaining gap: a list<float> column's per-row sums decoded straight from Parquet's
# pages, levels taken run by run, against DuckDB's list_sum over the same file, one core each, warm medians.
#   bench/list-decode.sh [--file bench/work/shards-120000/shard-00.parquet] [--column token_logprobs] [--iterations 7]
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.ListDecodePrototype "$@"
