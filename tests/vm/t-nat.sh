#!/bin/bash
# The admin guide's NAT scenarios with real connections: a LAN masqueraded
# behind a router, SNAT to one address and to a range, a port forward, a
# transparent proxy; and rmmod with NAT connections alive.
#
#   +------+ 10.0.1.2                          10.0.9.1 +--------+ 10.0.9.2 +-----+
#   | lan1 |----------- 10.0.1.1 +--------+ -----------| to-wan |----------| wan |
#   +------+                     | router |            +--------+          +-----+
#   +------+ 10.0.2.2            |        |   wan has no route back to the LAN:
#   | lan2 |----------- 10.0.2.1 +--------+   only translated packets get answers
#   +------+
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat conntrack
need_moat

mkhost lan1
mkhost lan2
mkhost router
mkhost wan
link lan1 router 10.0.1.2/24 10.0.1.1/24
link lan2 router 10.0.2.2/24 10.0.2.1/24
link router wan 10.0.9.1/24 10.0.9.2/24
ns lan1 ip route add default via 10.0.1.1
ns lan2 ip route add default via 10.0.2.1
ns router sysctl -qw net.ipv4.ip_forward=1

# Servers that answer with the address (and port) they see the client at.
ip netns exec wan socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' &
ip netns exec wan "$MOAT_REPO/tests/vm/tools/udp-peer.py" 5000 &
ip netns exec lan1 socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo lan1 sees $SOCAT_PEERADDR' &
wait_for listening wan 80
wait_for listening wan 5000 udp
wait_for listening lan1 80

# tcp_from NS ADDR PORT: what the server at ADDR:PORT answers NS.
tcp_from() {
	ns "$1" socat -T 3 -u "TCP:$2:$3,connect-timeout=3" STDOUT
}

# udp_from NS SPORT: what wan's UDP server answers NS sending from SPORT.
udp_from() {
	echo hi | ns "$1" socat -T 2 - "UDP:10.0.9.2:5000,sourceport=$2"
}

# rule_packets TABLE CHAIN N: router's packet counter of rule N.
rule_packets() {
	ns router moat -t "$1" -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1 }'
}

# Without NAT wan cannot answer the LAN at all.
expect_fail "no NAT: wan cannot answer lan1" tcp_from lan1 10.0.9.2 80

# --- MASQUERADE: wan sees only the router; same source ports both work ----
ns router moat -t nat -A POSTROUTING -o to-wan -j MASQUERADE
expect_eq "$(tcp_from lan1 10.0.9.2 80)" 10.0.9.1 "lan1 masqueraded (TCP)"
expect_eq "$(tcp_from lan2 10.0.9.2 80)" 10.0.9.1 "lan2 masqueraded (TCP)"
expect_eq "$(udp_from lan1 40000)" "10.0.9.1 40000" "lan1 UDP from :40000 keeps its port"
got=$(udp_from lan2 40000)
case $got in
"10.0.9.1 40000") fail "lan2 UDP from :40000 not remapped while lan1's flow lives" ;;
"10.0.9.1 "*) ok "lan2 UDP from :40000 remapped to ${got#* }, and its reply came back" ;;
*) fail "lan2 UDP from :40000: got '$got'" ;;
esac
# The NAT core asks the chain once per connection: 2 TCP + 2 UDP.
expect_eq "$(rule_packets nat POSTROUTING 1)" 4 "MASQUERADE rule saw each connection's first packet"
n=$(ns router conntrack -L -p udp --orig-port-src 40000 2>/dev/null | grep -c 'dport=5000')
expect_eq "$n" 2 "two UDP flows from :40000 tracked"
# MASQUERADE forgets the connections of an address that goes away.
ns router ip addr del 10.0.9.1/24 dev to-wan
WAIT_TIMEOUT=10 wait_for sh -c \
	"[ \$(ip netns exec router conntrack -L -p udp --orig-port-src 40000 2>/dev/null | grep -c dport=5000) = 0 ]" ||
	fail "masqueraded flows still tracked after the address went away"
ok "masqueraded flows forgotten when the address went away"
ns router ip addr add 10.0.9.1/24 dev to-wan
ns router moat -t nat -F

# --- SNAT to one address, then to a range ----------------------------------
ns router ip addr add 10.0.9.10/24 dev to-wan
ns router ip addr add 10.0.9.11/24 dev to-wan
ns router moat -t nat -A POSTROUTING -o to-wan -j SNAT --to-source 10.0.9.10
expect_eq "$(tcp_from lan1 10.0.9.2 80)" 10.0.9.10 "SNAT to one address"
ns router moat -t nat -R POSTROUTING 1 -o to-wan -j SNAT --to-source 10.0.9.10-10.0.9.11
for host in lan1 lan2; do
	got=$(tcp_from $host 10.0.9.2 80)
	case $got in
	10.0.9.10 | 10.0.9.11) ok "$host SNATed into the range ($got)" ;;
	*) fail "$host SNAT to a range: got '$got'" ;;
	esac
done
# Ports: TCP from lan1 mapped into 2000-2001.
ns router moat -t nat -R POSTROUTING 1 -o to-wan -p tcp -j SNAT --to-source 10.0.9.10:2000-2001
ip netns exec wan socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERPORT' &
wait_for listening wan 81
got=$(tcp_from lan1 10.0.9.2 81)
case $got in
2000 | 2001) ok "SNAT to a port range ($got)" ;;
*) fail "SNAT to ports 2000-2001: got '$got'" ;;
esac
ns router moat -t nat -F

# --- port forward: wan -> router:8080 reaches lan1:80, which sees wan -----
ns router moat -t nat -A PREROUTING -i to-wan -p tcp --dport 8080 \
	-j DNAT --to-destination 10.0.1.2:80
expect_eq "$(tcp_from wan 10.0.9.1 8080)" "lan1 sees 10.0.9.2" "port forward, real client seen"
expect_fail "port 8081 is not forwarded" tcp_from wan 10.0.9.1 8081
# The router itself, through OUTPUT: its socket chose 10.0.9.1 as source.
ns router moat -t nat -A OUTPUT -d 10.0.9.1 -p tcp --dport 8080 \
	-j DNAT --to-destination 10.0.1.2:80
expect_eq "$(tcp_from router 10.0.9.1 8080)" "lan1 sees 10.0.9.1" "DNAT in OUTPUT"
ns router moat -t nat -F

# --- transparent proxy: LAN web traffic goes to the router's :3128 ---------
ip netns exec router socat TCP-LISTEN:3128,fork,reuseaddr SYSTEM:'echo proxy for $SOCAT_PEERADDR' &
wait_for listening router 3128
ns router moat -t nat -A PREROUTING -i to-lan1 -p tcp --dport 80 -j REDIRECT --to-ports 3128
expect_eq "$(tcp_from lan1 10.0.9.2 80)" "proxy for 10.0.1.2" "lan1's web traffic redirected"
ns router moat -t nat -A POSTROUTING -o to-wan -j MASQUERADE
expect_eq "$(tcp_from lan2 10.0.9.2 80)" 10.0.9.1 "lan2 (not redirected) reaches wan"
expect_eq "$(rule_packets nat PREROUTING 1)" 1 "REDIRECT counted one connection"

# --- placement is checked as iptables does --------------------------------
expect_fail "SNAT in PREROUTING" ns router moat -t nat -A PREROUTING -j SNAT --to-source 10.0.9.1
expect_fail "DNAT in POSTROUTING" ns router moat -t nat -A POSTROUTING -j DNAT --to-destination 10.0.1.2
expect_fail "MASQUERADE in filter" ns router moat -A FORWARD -j MASQUERADE
ns router moat -t nat -N to-lan
ns router moat -t nat -A to-lan -j DNAT --to-destination 10.0.1.2
expect_fail "a chain with DNAT reached from POSTROUTING" \
	ns router moat -t nat -A POSTROUTING -j to-lan
ns router moat -t nat -A PREROUTING -p udp --dport 9 -j to-lan
ok "a chain with DNAT reached from PREROUTING"

# --- rmmod with NAT connections alive --------------------------------------
# A masqueraded connection held open: lan2 <-> wan through the router.
ip netns exec wan socat TCP-LISTEN:82,reuseaddr SYSTEM:'cat' &
wait_for listening wan 82
fifo=$(mktemp -u)
mkfifo "$fifo"
ip netns exec lan2 socat -u "TCP:10.0.9.2:82" OPEN:/dev/null < "$fifo" &
exec 7> "$fifo"
wait_for sh -c "ip netns exec router conntrack -L -p tcp --orig-port-dst 82 2>/dev/null | grep -q ESTABLISHED"
ok "a masqueraded connection is alive"
rmmod moat
ok "rmmod with NAT connections alive"
echo more >&7
exec 7>&-
moat_load
ok "moat.ko loaded again"
