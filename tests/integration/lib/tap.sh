# shellcheck shell=bash
# TAP lines and a scratch directory for the integration tests that run our programs one shot at a time. Source it
# with a name for the directory, `. lib/tap.sh simtool-ota`: sets B (build dir) and D (the scratch directory under
# /tmp, removed at exit).
B=${B:-build}
D=$(mktemp -d "/tmp/$1.XXXXXX")
trap 'rm -rf "$D"' EXIT
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
all_of() { eval "$1"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
