#!/bin/bash
# make bench: tests/bench/bench.py in the VM; the table goes to the log and
# to /moat-out/benchmarks.md (build/vm/out on the host).
# vm-timeout: 7000
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need python3 nft iptables-legacy-restore
need_moat
# make bench BENCH_SIZES="0 1 100" comes as moatvm.bench_sizes=0:1:100.
sizes=$(tr -s '[:space:]' '\n' < /proc/cmdline | sed -n 's/^moatvm.bench_sizes=//p' | tr : ' ')
[ -n "$sizes" ] && export BENCH_SIZES=$sizes
fws=$(tr -s '[:space:]' '\n' < /proc/cmdline | sed -n 's/^moatvm.bench_firewalls=//p' | tr : ' ')
[ -n "$fws" ] && export BENCH_FIREWALLS=$fws
python3 "$MOAT_REPO/tests/bench/bench.py" /moat-out/benchmarks.md
