#!/bin/bash
# Churn under traffic on two CPUs: a numbered UDP stream from a to b
# (sender on CPU 0) crosses b's INPUT, whose policy is DROP and whose one
# rule for the stream accepts it, while one process on CPU 1
# (tools/churn.py) changes b's rules around it as fast as it can: inserts,
# appends, replaces and deletes in a chain INPUT jumps to first, new
# chains jumped to, renamed, flushed and deleted, counters zeroed, a
# policy toggled, restores of that chain, of the nat table and, in the
# second half, of the whole filter table (the accepting rule in every
# version), and mangle rules added and flushed. Not one datagram may be
# lost, and the counters must add up: the accepting rule, never touched in
# the first half, counted exactly what was sent then; a counting rule in
# raw PREROUTING, never touched, counted everything sent.
#
#   +-----+ 10.0.1.1          10.0.1.2 +-----+
#   |  a  |------------ veth ----------|  b  |  b: INPUT DROP, -j churn,
#   +-----+   udp :9000, numbered      +-----+     then the stream's ACCEPT
# vm-timeout: 240
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need python3 taskset
need_moat
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs, has $(nproc)"

stream=$MOAT_REPO/tests/vm/tools/udp-stream.py
churn=$MOAT_REPO/tests/vm/tools/churn.py
count=15000
rate=1000
tmp=$(mktemp -d)

mkhost a
mkhost b
link a b 10.0.1.1/24 10.0.1.2/24
ns b moat -t raw -A PREROUTING -s 10.0.1.1 -p udp --dport 9000
ns b moat -N churn
ns b moat -A INPUT -j churn
ns b moat -A INPUT -s 10.0.1.1 -p udp --dport 9000 -j ACCEPT
ns b moat -P INPUT DROP

# half NAME FULL: the stream, churn meanwhile; every datagram must arrive.
half() {
	local name=$1 full=$2 receiver churner
	rm -f "$tmp/stop"
	taskset -c 1 ip netns exec b python3 -B "$stream" recv 9000 $count > "$tmp/recv" &
	receiver=$!
	wait_for listening b 9000 udp
	taskset -c 1 ip netns exec b python3 -B "$churn" "$tmp/stop" ${full:+"$full"} > "$tmp/churn.log" 2>&1 &
	churner=$!
	taskset -c 0 ip netns exec a python3 -B "$stream" send 10.0.1.2 9000 $count $rate
	touch "$tmp/stop"
	wait $churner || { cat "$tmp/churn.log"; fail "$name: a change failed"; }
	ok "$name: $(cat "$tmp/churn.log") of churn during the stream"
	wait $receiver || true
	expect_eq "$(cat "$tmp/recv")" "received $count of $count, lost 0" "$name: no datagram lost"
}

# rule_pkts TABLE CHAIN N: the packet counter of rule N.
rule_pkts() {
	ns b moat -t "$1" -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1 }'
}

half "rules churned around the accepting one" ""
expect_eq "$(rule_pkts filter INPUT 2)" $count \
	"the accepting rule counted every datagram of the first half"
half "whole filter table restored too" --full
expect_eq "$(rule_pkts raw PREROUTING 1)" $((2 * count)) \
	"the raw table's counting rule counted every datagram"
