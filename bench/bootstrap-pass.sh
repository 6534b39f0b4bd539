#!/usr/bin/env bash
# The analysis pass alone (bootstrap intervals and comparisons) over a written sequences/, per replicate count.
#   bench/bootstrap-pass.sh [--output bench/work/out] [--replicates 0,200,1000] [--iterations 5]
# Run bench/score-vs-scan.sh first: it leaves the output folder behind.
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.BootstrapPass "$@"
