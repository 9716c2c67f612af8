#!/usr/bin/env bash
# `make demo`: the most complete flow simguard has, printed readably.
set -euo pipefail
B=${B:-build}
echo "simguard demo: nothing to show yet"
