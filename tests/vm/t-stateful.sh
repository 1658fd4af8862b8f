#!/bin/bash
# A stateful server: policy DROP both ways, RELATED,ESTABLISHED accepted,
# NEW only to port 7000. Replies flow, other ports and server-initiated
# connections are blocked, an out-of-window segment is INVALID, and an
# ICMP error for a tracked flow comes back as RELATED.
#
#   +--------+ 10.0.1.2      10.0.1.1 +--------+
#   | client |---------- veth ---------| server |  moat: conntrack rules
#   +--------+                         +--------+
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat ss conntrack tcpdump /usr/bin/python3
need_moat

mkhost client
mkhost server
link client server 10.0.1.2/24 10.0.1.1/24
tools=$MOAT_REPO/tests/vm/tools

S() { ns server moat "$@"; }
S -P INPUT DROP
S -P OUTPUT DROP
S -A INPUT -m conntrack --ctstate INVALID -j DROP
S -A INPUT -m state --state RELATED -j ACCEPT
S -A INPUT -m state --state ESTABLISHED -j ACCEPT
S -A INPUT -p tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT
S -A OUTPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
S -A OUTPUT -p udp --dport 9 -m conntrack --ctstate NEW --ctdir ORIGINAL -j ACCEPT

# rule_pkts NS CHAIN N: packets counted by rule N.
rule_pkts() {
	ns "$1" moat -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1 }'
}

# counted_past N COUNT: server INPUT rule N has counted more than COUNT.
counted_past() {
	[ "$(rule_pkts server INPUT "$1")" -gt "$2" ]
}

# An echo service: what the client sends comes back, both ways through.
ip netns exec server socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat &
wait_for listening server 7000
got=$(echo ping-pong | ns client socat -T 3 - TCP:10.0.1.1:7000)
expect_eq "$got" ping-pong "NEW to 7000 and its replies pass both ways"

ip netns exec server socat TCP-LISTEN:7001,reuseaddr EXEC:cat &
wait_for listening server 7001
expect_fail "NEW to 7001 is dropped" \
	sh -c 'echo x | ip netns exec client socat -T 2 - TCP:10.0.1.1:7001,connect-timeout=2'

ip netns exec client socat TCP-LISTEN:7002,reuseaddr EXEC:cat &
wait_for listening client 7002
expect_fail "a connection from the server out is dropped" \
	sh -c 'echo x | ip netns exec server socat -T 2 - TCP:10.0.1.2:7002,connect-timeout=2'

# Hold a connection open from a known port, then inject a segment far
# past its window: conntrack calls it INVALID, the first rule drops it.
# Far past, from the client's own initial sequence number (read off its
# SYN): 6.1's conntrack lets a segment *below* the window through as
# ESTABLISHED (ignored, not INVALID), and a fixed sequence number is
# below or above it at random. The server's conntrack must have seen
# the handshake's last ACK, not only the client's socket be established.
syn=$(mktemp)
ns server tcpdump -i to-client -n -S -l -c 1 \
	'src port 40000 and tcp[tcpflags] & tcp-syn != 0' > "$syn" 2> "$syn.err" &
wait_for grep -q "listening on" "$syn.err"
ip netns exec client socat -T 10 TCP:10.0.1.1:7000,sourceport=40000 EXEC:'sleep 8' &
wait_for sh -c 'ip netns exec client ss -Htn state established "sport = :40000" | grep -q .'
wait_for sh -c 'ip netns exec server conntrack -L -p tcp --sport 40000 2> /dev/null | grep -q ESTABLISHED'
wait_for grep -q "Flags \[S\]" "$syn"
isn=$(sed -n 's/.*Flags \[S\], seq \([0-9]*\).*/\1/p' "$syn")
[ -n "$isn" ] || fail "no sequence number in the SYN: $(cat "$syn")"
before=$(rule_pkts server INPUT 1)
ns client "$tools/tcp-segment.py" 10.0.1.2 40000 10.0.1.1 7000 A \
	$(( (isn + 1 + (1 << 30)) % (1 << 32) )) 67890
wait_for counted_past 1 "$before"
expect_eq "$(rule_pkts server INPUT 1)" $((before + 1)) "out-of-window segment counted as INVALID"

# The server's datagram to a closed port: the client's ICMP error is
# RELATED to it and is let in by the RELATED rule alone.
related=$(rule_pkts server INPUT 2)
echo hello | ns server socat -T 1 - UDP:10.0.1.2:9 || true
wait_for counted_past 2 "$related"
expect_eq "$(rule_pkts server INPUT 2)" $((related + 1)) "ICMP port unreachable let in as RELATED"

expect_eq "$(ns server moat -S INPUT | sed -n 2,5p)" "-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m state --state RELATED -j ACCEPT
-A INPUT -m state --state ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 7000 -m conntrack --ctstate NEW -j ACCEPT" "rules as -S shows them"

# Deleting by spec works for conntrack rules (state is not compared).
S -D INPUT -m state --state RELATED -j ACCEPT
S -F
ok "conntrack rules flushed; their references go back after a grace period"
