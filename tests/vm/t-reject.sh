#!/bin/bash
# REJECT on the wire: every --reject-with type, seen by the client both as
# the exact packet that comes back (ICMP type 3 and its code, or a TCP RST)
# and as the error its connect() gets; on INPUT, FORWARD and OUTPUT.
#
#   +--------+ 10.0.1.2   10.0.1.1 +--------+ 10.0.2.1   10.0.2.2 +--------+
#   | client |------- veth --------| router |------- veth --------| server |
#   +--------+  to-router  to-client+--------+ to-server  to-router+--------+
#   tcpdump on to-router             FORWARD REJECT       INPUT/OUTPUT REJECT
#                                                        socat listens on :7000
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat ss tcpdump
need_moat

mkhost client
mkhost router
mkhost server
link client router 10.0.1.2/24 10.0.1.1/24
link router server 10.0.2.1/24 10.0.2.2/24
ns client ip route add default via 10.0.1.1
ns server ip route add default via 10.0.2.1
ns router sysctl -qw net.ipv4.ip_forward=1
# The kernel rate-limits ICMP errors per peer; this test sends many.
ns server sysctl -qw net.ipv4.icmp_ratelimit=0
ns router sysctl -qw net.ipv4.icmp_ratelimit=0

# A listener, so a reset can only come from REJECT, not from a closed port.
ip netns exec server socat TCP-LISTEN:7000,fork,reuseaddr SYSTEM:'echo hi' &
WAIT_TIMEOUT=30 wait_for listening server 7000

# One capture in the client for the whole test: every ICMP error and RST.
# Each probe connects from its own source port, which the reply quotes.
cap=/tmp/t-reject.pcap
ip netns exec client tcpdump -i to-router -nn -U -w "$cap" \
	'icmp or tcp[tcpflags] & tcp-rst != 0' 2> /tmp/t-reject.tcpdump &
WAIT_TIMEOUT=60 wait_for grep -q 'listening on' /tmp/t-reject.tcpdump

# captured FILTER: how many captured packets FILTER matches.
captured() {
	tcpdump -r "$cap" -nn "$1" 2>/dev/null | wc -l
}

# ICMP errors quote the offending IP header (20 bytes), then its ports.
icmp_for() {
	echo "icmp and icmp[28:2] = $1"
}

seen() {
	[ "$(captured "$1")" -ge 1 ]
}

sport=40000
# probe: a connect from the client's next source port to :7000; sets err
# to what socat says went wrong.
probe() {
	sport=$((sport + 1))
	err=$(ns client socat -T 3 -u TCP:10.0.2.2:7000,sourceport=$sport,connect-timeout=3 STDOUT \
		2>&1 >/dev/null | sed -n 's/.*E connect([^)]*): //p')
}

# rule_packets NS CHAIN N: the packet counter of rule N.
rule_packets() {
	ns "$1" moat -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1 }'
}

# expect_icmp WHAT FROM CODE: the last probe got exactly one packet back,
# an ICMP destination unreachable with CODE from FROM.
expect_icmp() {
	wait_for seen "$(icmp_for $sport)" || true
	expect_eq "$(captured "$(icmp_for $sport) or tcp dst port $sport")" 1 \
		"$1: one packet back"
	expect_eq "$(captured "$(icmp_for $sport) and src host $2 and icmp[0] = 3 and icmp[1] = $3")" 1 \
		"$1: ICMP from $2 type 3 code $3"
}

# expect_reject NS CHAIN WITH FROM CODE ERROR: with "-j REJECT --reject-with
# WITH" first in NS's CHAIN, a connect from the client gets exactly one
# ICMP destination unreachable with CODE from FROM, and fails with ERROR.
expect_reject() {
	local n=$1 chain=$2 with=$3 from=$4 code=$5 want=$6
	ns "$n" moat -I "$chain" -p tcp --dport 7000 -j REJECT --reject-with "$with"
	probe
	expect_icmp "$with" "$from" "$code"
	expect_eq "$err" "$want" "$with: connect() error"
	expect_eq "$(rule_packets "$n" "$chain" 1)" 1 "$with: rule counted the SYN"
	ns "$n" moat -D "$chain" 1
}

# expect_rst WHAT: the last probe got exactly one packet back, a RST from
# the server's address and port.
expect_rst() {
	wait_for seen "tcp dst port $sport" || true
	expect_eq "$(captured "$(icmp_for $sport) or tcp dst port $sport")" 1 \
		"$1: one packet back"
	expect_eq "$(captured "tcp dst port $sport and src host 10.0.2.2 and src port 7000 and tcp[tcpflags] & tcp-rst != 0")" 1 \
		"$1: a RST from 10.0.2.2:7000"
}

# --- no rule: the exchange works, so every failure below is REJECT's -------
got=$(ns client socat -T 3 -u TCP:10.0.2.2:7000 STDOUT)
expect_eq "$got" hi "TCP client -> server:7000 without rules"

# --- every ICMP type, from the server's INPUT ------------------------------
expect_reject server INPUT icmp-net-unreachable 10.0.2.2 0 "Network is unreachable"
expect_reject server INPUT icmp-host-unreachable 10.0.2.2 1 "No route to host"
expect_reject server INPUT icmp-proto-unreachable 10.0.2.2 2 "Protocol not available"
expect_reject server INPUT icmp-port-unreachable 10.0.2.2 3 "Connection refused"
expect_reject server INPUT icmp-net-prohibited 10.0.2.2 9 "Network is unreachable"
expect_reject server INPUT icmp-host-prohibited 10.0.2.2 10 "No route to host"
expect_reject server INPUT icmp-admin-prohibited 10.0.2.2 13 "No route to host"

# The default is port-unreachable.
ns server moat -A INPUT -p tcp --dport 7000 -j REJECT
expect_eq "$(ns server moat -S INPUT | tail -n 1)" \
	"-A INPUT -p tcp -m tcp --dport 7000 -j REJECT --reject-with icmp-port-unreachable" \
	"default --reject-with"
probe
expect_eq "$err" "Connection refused" "default REJECT: connect() error"
expect_icmp "default REJECT" 10.0.2.2 3
ns server moat -F INPUT

# --- tcp-reset: a RST from the server's address and port, no ICMP ----------
ns server moat -A INPUT -p tcp --dport 7000 -j REJECT --reject-with tcp-reset
probe
expect_eq "$err" "Connection refused" "tcp-reset: connect() error"
expect_rst tcp-reset
expect_eq "$(rule_packets server INPUT 1)" 1 "tcp-reset: rule counted the SYN"
ns server moat -F INPUT
# Stated negative case: the kernel refuses tcp-reset for non-TCP rules.
expect_fail "tcp-reset without -p tcp" \
	ns server moat -A INPUT -p udp -j REJECT --reject-with tcp-reset
expect_eq "$(ns server moat -S INPUT)" "-P INPUT ACCEPT" "refused rule not added"

# --- FORWARD: the router answers, from its own address ---------------------
expect_reject router FORWARD icmp-net-prohibited 10.0.1.1 9 "Network is unreachable"
ns router moat -A FORWARD -p tcp --dport 7000 -j REJECT --reject-with tcp-reset
probe
expect_eq "$err" "Connection refused" "FORWARD tcp-reset: connect() error"
expect_rst "FORWARD tcp-reset, on behalf of the server"
ns router moat -F FORWARD

# --- OUTPUT: the server's own connect() is refused locally -----------------
ip netns exec client socat TCP-LISTEN:7001,reuseaddr SYSTEM:'echo hi' &
WAIT_TIMEOUT=30 wait_for listening client 7001
ns server moat -A OUTPUT -p tcp --dport 7001 -j REJECT --reject-with icmp-host-prohibited
err=$(ns server socat -T 3 -u TCP:10.0.1.2:7001,connect-timeout=3 STDOUT 2>&1 >/dev/null |
	sed -n 's/.*E connect([^)]*): //p')
expect_eq "$err" "No route to host" "OUTPUT REJECT: local connect() error"
expect_eq "$(rule_packets server OUTPUT 1)" 1 "OUTPUT REJECT counted the SYN"
ns server moat -F OUTPUT
got=$(ns server socat -T 3 -u TCP:10.0.1.2:7001 STDOUT)
expect_eq "$got" hi "OUTPUT flushed: the local connect works again"
