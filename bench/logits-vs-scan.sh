#!/usr/bin/env bash
# The job's wall time on logits shards against a bare Spark scan of the same blob columns, from one run.
#   bench/logits-vs-scan.sh [--mb 1000] [--vocab 32000] [--dtype bfloat16|float16|float32] [--ref] [--chunk 64]
#                           [--iterations 5] [--warmup 1] [--timeline] [--set key=value] [--work bench/work]
# Generates the corpus once (cached under --work), then alternates scan, reader and score; prints the warm ratios.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.LogitsVsScan "$@"
