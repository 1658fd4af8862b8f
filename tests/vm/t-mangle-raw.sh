#!/bin/bash
# mangle and raw with real traffic: a mark set in mangle is matched in
# filter; CONNMARK saves and restores it across a connection; TTL, TOS and
# DSCP rewrite headers; a mark set on OUTPUT reroutes; raw's CT --notrack
# leaves a flow UNTRACKED and un-NATed.
#
#   +--------+ 10.0.1.2   10.0.1.1 +--------+ 10.0.2.1   10.0.2.2 +--------+
#   | client |------- veth --------| router |------- veth --------| server |
#   +--------+                     +--------+                     +--------+
# vm-timeout: 240
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat conntrack
need_moat

mkhost client
mkhost router
mkhost server
link client router 10.0.1.2/24 10.0.1.1/24
link router server 10.0.2.1/24 10.0.2.2/24
ns client ip route add default via 10.0.1.1
ns server ip route add default via 10.0.2.1
ns router sysctl -qw net.ipv4.ip_forward=1

ip netns exec server socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo hello' &
wait_for listening server 80

# packets NS TABLE CHAIN N: NS's packet counter of rule N.
packets() {
	ns "$1" moat -t "$2" -L "$3" -v -x -n | awk -v n="$4" 'NR == n + 2 { print $1 }'
}

# expect_same_nonzero A B MSG: two counters equal and above zero.
expect_same_nonzero() {
	[ "$1" -gt 0 ] || fail "$3: no packets counted"
	expect_eq "$1" "$2" "$3"
}

# udp_to NS PORT: one datagram from NS to the server's PORT.
udp_to() {
	echo x | ns "$1" socat -u - "UDP:10.0.2.2:$2"
}

# --- MARK in mangle, matched in filter -------------------------------------
ns router moat -t mangle -A PREROUTING -i to-client -p tcp --dport 80 -j MARK --set-mark 7
ns router moat -A FORWARD -i to-client -m mark --mark 7
ns router moat -A FORWARD -i to-client -m mark ! --mark 7
expect_eq "$(ns client socat -T 3 -u TCP:10.0.2.2:80 STDOUT)" hello "client reaches server"
expect_same_nonzero "$(packets router filter FORWARD 1)" "$(packets router mangle PREROUTING 1)" \
	"every packet MARKed in mangle matched --mark 7 in filter"
expect_eq "$(packets router filter FORWARD 2)" 0 "no client packet without the mark"
ns router moat -t mangle -F
ns router moat -F

# --- CONNMARK: the mark follows the connection to its replies --------------
ns router moat -t mangle -A PREROUTING -j CONNMARK --restore-mark
ns router moat -t mangle -A PREROUTING -i to-client -p tcp --dport 80 -m mark --mark 0 \
	-j MARK --set-mark 5
ns router moat -t mangle -A PREROUTING -j CONNMARK --save-mark
ns router moat -A FORWARD -i to-server
ns router moat -A FORWARD -i to-server -m mark --mark 5
ns router moat -A FORWARD -i to-server -m connmark --mark 5
expect_eq "$(ns client socat -T 3 -u TCP:10.0.2.2:80 STDOUT)" hello "client reaches server"
replies=$(packets router filter FORWARD 1)
expect_same_nonzero "$(packets router filter FORWARD 2)" "$replies" \
	"every reply carried the mark restored from the connection"
expect_eq "$(packets router filter FORWARD 3)" "$replies" "connmark matched every reply"
expect_eq "$(packets router mangle PREROUTING 2)" 1 "MARK ran once: later packets had it restored"
ns router moat -t mangle -F
ns router moat -F

# --- TTL, TOS, DSCP, each seen by the server's own matches -----------------
ns router moat -t mangle -A FORWARD -p udp --dport 7001 -j TTL --ttl-set 5
ns router moat -t mangle -A FORWARD -p udp --dport 7002 -j TTL --ttl-inc 10
ns router moat -t mangle -A FORWARD -p udp --dport 7003 -j TOS --set-tos 0x10
ns router moat -t mangle -A FORWARD -p udp --dport 7004 -j DSCP --set-dscp 10
ns server moat -A INPUT -p udp --dport 7001 -m ttl --ttl-eq 5
ns server moat -A INPUT -p udp --dport 7002 -m ttl --ttl-eq 73
ns server moat -A INPUT -p udp --dport 7003 -m tos --tos 0x10
ns server moat -A INPUT -p udp --dport 7004 -m dscp --dscp 10
for port in 7001 7002 7003 7004; do
	udp_to client $port
done
# The client sends TTL 64; forwarding takes one, TTL --ttl-inc adds 10.
for n in 1 2 3 4; do
	wait_for sh -c "[ \$(ip netns exec server moat -L INPUT -v -x -n | awk 'NR == $n + 2 { print \$1 }') = 1 ]" ||
		fail "server rule $n: $(ns server moat -S INPUT -v | sed -n "$((n + 1))p")"
done
ok "TTL set and increased, TOS and DSCP set, as the server's matches saw"
expect_fail "TTL outside mangle" ns router moat -A FORWARD -j TTL --ttl-set 5
ns router moat -t mangle -F
ns server moat -F

# --- a mark set on OUTPUT reroutes the packet (mangle) ---------------------
# 10.0.7.7 is routed towards the client, unless the mark picks table 9.
ns router ip route add 10.0.7.7 via 10.0.1.2
ns router ip route add 10.0.7.7 via 10.0.2.2 table 9
ns router ip rule add fwmark 9 lookup 9
ns client moat -t raw -A PREROUTING -d 10.0.7.7
ns server moat -t raw -A PREROUTING -d 10.0.7.7
ns router moat -t mangle -A OUTPUT -d 10.0.7.7 -j MARK --set-mark 9
echo x | ns router socat -u - UDP:10.0.7.7:9
wait_for sh -c "[ \$(ip netns exec server moat -t raw -L PREROUTING -v -x -n | awk 'NR == 3 { print \$1 }') = 1 ]" ||
	fail "the marked packet did not reach the server"
expect_eq "$(packets client raw PREROUTING 1)" 0 "nothing went the unmarked way"
ok "a mark set in mangle OUTPUT rerouted the packet"
ns router moat -t mangle -F

# --- raw: CT --notrack makes a flow UNTRACKED, and NAT leaves it alone -----
got=$(mktemp)
ip netns exec server "$MOAT_REPO/tests/vm/tools/udp-peer.py" 6000 "$got" &
ip netns exec server "$MOAT_REPO/tests/vm/tools/udp-peer.py" 6001 "$got" &
wait_for listening server 6000 udp
wait_for listening server 6001 udp
ns router moat -t raw -A PREROUTING -i to-client -p udp --dport 6000 -j CT --notrack
ns router moat -A FORWARD -p udp -m conntrack --ctstate UNTRACKED
ns router moat -t nat -A POSTROUTING -o to-server -j MASQUERADE
udp_to client 6000
wait_for grep -q . "$got"
udp_to client 6001
wait_for sh -c "[ \$(wc -l < $got) = 2 ]"
expect_eq "$(cut -d' ' -f1 "$got" | tr '\n' ' ')" "10.0.1.2 10.0.2.1 " \
	"port 6000 untracked and not NATed, port 6001 masqueraded"
expect_eq "$(packets router filter FORWARD 1)" 1 "--ctstate UNTRACKED matched the notrack datagram"
expect_eq "$(ns router conntrack -L -p udp --orig-port-dst 6000 2>/dev/null | grep -c dport=6000)" 0 \
	"no conntrack entry for port 6000"
expect_fail "CT outside raw" ns router moat -A FORWARD -j CT --notrack
