#!/usr/bin/env bash
# What reading every input footer before a run costs: on the driver (the job's way) against a small Spark job.
#   bench/footer-reads.sh [--files 10,1000] [--iterations 7] [--work bench/work]
set -euo pipefail
export JAVA_OPTS="${JAVA_OPTS:--Xmx2g}"
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.FooterReads "$@"
