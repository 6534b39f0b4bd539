#!/usr/bin/env bash
# The job's scoring wall time against a bare Spark scan of the same log-prob column, from one run.
#   bench/score-vs-scan.sh [--mb 400] [--iterations 5] [--work bench/work] [--timeline] [--set key=value ...]
# Generates the corpus once (cached under --work), then alternates scan and score; prints the warm ratio.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.ScoreVsScan "$@"
