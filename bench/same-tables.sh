#!/usr/bin/env bash
# Whether two output folders hold the same tables (run ids, times and file locations aside): the check behind
# "bit-identical before and after" for a refactoring. Score the same input with each build, then:
#   bench/same-tables.sh BEFORE_OUTPUT AFTER_OUTPUT
set -euo pipefail
exec "$(dirname "${BASH_SOURCE[0]}")/run-main" dev.softmetrics.bench.SameTables "$@"
