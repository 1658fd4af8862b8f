#!/bin/bash
# The classifier changes nothing but speed: the same traffic through the
# same ruleset gives the same verdicts and the same counters, rule by rule,
# with the per-chain indexes on (classify=1) and off (classify=0).
#
#   +--------+ 10.0.1.2   10.0.1.1 +----+
#   | client |------- veth --------| fw |  a mixed ruleset on INPUT
#   +--------+                     +----+
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat python3
need_moat

param=/sys/module/moat/parameters/classify
[ -w "$param" ] || fail "$param missing"
trap 'rc=$?; echo 1 > "$param"; (exit $rc); _lib_cleanup' EXIT

mkhost client
mkhost fw
link client fw 10.0.1.2/24 10.0.1.1/24
ns fw ip addr add 10.0.1.3/24 dev to-client
ns client ip addr add 10.0.1.4/24 dev to-fw
# fw answers closed ports with ICMP errors, counted on its OUTPUT policy;
# rate-limited errors (per host and global) would make that count depend
# on timing. An empty ratemask exempts every type from both limits.
ns fw sysctl -qw net.ipv4.icmp_ratemask=0

# A ruleset mixing every kind of key and rules with none: /32 and /24
# sources, destinations, single and ranged ports, interfaces, protocols,
# negations, a state match, and jumps to chains that RETURN.
rules=$(mktemp)
{
	echo "*filter"
	echo ":INPUT ACCEPT [0:0]"
	echo ":sub - [0:0]"
	for i in $(seq 1 40); do
		echo "-A INPUT -s 10.9.$i.1/32 -j DROP"
		echo "-A INPUT -p udp -m udp --dport $((20000 + i)) -j DROP"
		echo "-A INPUT -p tcp -m tcp --dport $((21000 + i)) -j REJECT --reject-with tcp-reset"
		echo "-A INPUT -i dummy$i -j DROP"
		[ $((i % 10)) = 0 ] && echo "-A INPUT -p udp -m udp --dport 30000:30100 -j sub"
		[ $((i % 13)) = 0 ] && echo "-A INPUT -m conntrack --ctstate INVALID -j DROP"
	done
	echo "-A INPUT -s 10.0.1.4/32 -p udp -m udp --dport 5001 -j DROP"
	echo "-A INPUT -d 10.0.1.3/32 -p udp -m udp --dport 5002 -j DROP"
	echo "-A INPUT -s 10.0.1.0/24 -p udp -m udp --dport 5003 -j DROP"
	echo "-A INPUT ! -s 10.0.1.2/32 -p udp -m udp --dport 5004 -j DROP"
	echo "-A INPUT -i to-client -p udp -m udp --dport 5005 -j DROP"
	echo "-A INPUT -p icmp -m icmp --icmp-type 8 -m length --length 100:200 -j DROP"
	echo "-A INPUT -p udp -m udp ! --dport 5000:5010 -j ACCEPT"
	echo "-A INPUT -p udp"
	for i in $(seq 1 20); do
		echo "-A sub -s 10.8.$i.0/24 -j DROP"
		echo "-A sub -p udp -m udp --dport $((30000 + i)) -j DROP"
	done
	echo "-A sub -p udp -m udp --dport 30050 -j RETURN"
	echo "-A sub -p udp -j ACCEPT"
	echo "COMMIT"
} > "$rules"
ns fw moat-restore < "$rules"
expect_eq "$(ns fw moat -S INPUT | wc -l)" "$(grep -c '^-A INPUT' "$rules" | awk '{ print $1 + 1 }')" \
	"ruleset loaded"

# The same traffic each time: UDP to many ports from two sources, TCP
# to closed and rejected ports, pings of two sizes.
traffic() {
	ns client python3 - <<-'EOF'
	import socket
	for src in ("10.0.1.2", "10.0.1.4"):
	    for dst in ("10.0.1.1", "10.0.1.3"):
	        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	        s.bind((src, 0))
	        for port in list(range(5000, 5012)) + [20001, 20040, 30001, 30020, 30050, 30099, 40000]:
	            s.sendto(b"x" * (port % 7), (dst, port))
	        s.close()
	for port in (21001, 21040, 22):
	    t = socket.socket()
	    t.settimeout(1)
	    try:
	        t.connect(("10.0.1.1", port))
	    except OSError:
	        pass
	    t.close()
	EOF
	ns client ping -q -c 2 -s 56 -W 1 10.0.1.1 > /dev/null || true
	ns client ping -q -c 2 -s 150 -W 1 10.0.1.1 > /dev/null || true
	sleep 1
}

# Per-rule counters; the kernel lists them in rule order.
counters() {
	ns fw moat-save -c | grep -v '^#'
}

# same_both_ways WHAT: the traffic counts the same, rule by rule, with the
# classifier on and off.
same_both_ways() {
	ns fw moat -Z
	echo 1 > "$param"
	traffic
	on=$(counters)
	ns fw moat -Z
	echo 0 > "$param"
	traffic
	off=$(counters)
	echo 1 > "$param"
	if [ "$on" != "$off" ]; then
		diff <(echo "$on") <(echo "$off") >&2 || true
		fail "$1: counters differ with the classifier on and off"
	fi
	ok "$1: same counters with the classifier on and off"
}

sleep 1	# the index is built just after the restore, off the packet path
same_both_ways "the ruleset as restored"
moved=$(echo "$on" | grep -c '^\[[1-9]')
[ "$moved" -ge 15 ] || fail "only $moved rules counted packets: the traffic misses the ruleset"
ok "$moved rules counted packets"

# A change after the index is built: the rule inserted first sees traffic.
echo 1 > "$param"
ns fw moat -Z
ns fw moat -I INPUT 3 -p udp --dport 5006 -j DROP
traffic
expect_eq "$(ns fw moat -L INPUT -v -x -n | awk 'NR == 5 { print $1 }')" 4 \
	"an inserted rule counted its 4 datagrams through the index"

# Single-rule changes patch the live index (moved positions, rules cut out
# of keyed runs, deleted rules' stale entries); every kind, at the start,
# inside keyed runs, at their edges, at the end, in a user chain.
ns fw moat -I INPUT 1 -p udp --dport 5007 -j DROP
ns fw moat -D INPUT 6
ns fw moat -R INPUT 10 -p udp --dport 5008 -j DROP
ns fw moat -R INPUT 11 -s 10.9.77.1 -j DROP
same_both_ways "insert first, delete and replace in keyed runs"
ns fw moat -I INPUT 40 -m length --length 1:3 -j DROP
ns fw moat -A INPUT -p udp --dport 5009 -j DROP
ns fw moat -I sub 10 -p udp --dport 30001 -j RETURN
ns fw moat -D sub 1
ns fw moat -D INPUT -s 10.9.7.1/32 -j DROP
same_both_ways "insert unkeyed, append, change a user chain, delete by spec"
n=$(ns fw moat -S INPUT | wc -l)
ns fw moat -D INPUT $((n - 1))
ns fw moat -D INPUT 1
ns fw moat -I INPUT $((n - 2)) -p udp --dport 5010 -j DROP
same_both_ways "delete the last and the first, insert before the end"
# Several changes in one transaction are patched in one after the other.
ns fw moat-restore --noflush <<-'EOF2'
	*filter
	-I INPUT 2 -p udp -m udp --dport 5011 -j DROP
	-D INPUT 20
	-A INPUT -s 10.0.1.4/32 -p udp -m udp --dport 5003 -j ACCEPT
	-R INPUT 30 -i to-client -p udp -m udp --dport 5002 -j DROP
	-I INPUT 31 -p udp -m udp --dport 30050 -j sub
	COMMIT
EOF2
same_both_ways "five changes in one restore --noflush"
# Past the patches an index takes, it is built anew.
for i in $(seq 1 40); do
	ns fw moat -I INPUT $((i * 3)) -p udp --dport $((5000 + i % 12)) -j DROP
	ns fw moat -D INPUT $((i * 3 + 1))
done
sleep 1
same_both_ways "80 single-rule changes, the index built anew"
