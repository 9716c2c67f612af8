# shellcheck shell=bash
# Helpers of the tests that run handset-sim on its own (test_handset_{sim,lock,badcard,toolkit}.sh): lib/tap.sh,
# the handset's JSON state and one scripted run. Source it with a name for the scratch directory,
# `. lib/handset.sh handset-sim`: sets B and D as lib/tap.sh does.
. "$(dirname "${BASH_SOURCE[0]}")/tap.sh" "$1"
# state EXPR: a Python expression over the state file as s, e.g. state 's["service"]'
state() { python3 -c "import json,sys; s=json.load(open('$D/state.json')); print(eval(sys.argv[1]))" "$1"; }
# HS ARGS...: one scripted handset-sim run (--once) with $D/hs.cfg, its output appended to $D/hs.log
HS() { timeout 30 "$B/bin/handset-sim" -c "$D/hs.cfg" --once -q "$@" >> "$D/hs.log" 2>&1; }
