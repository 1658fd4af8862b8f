#!/bin/bash
# The filter table on real traffic: policies, verdicts, matches, user chains
# and exact per-rule counters.
#
#   +--------+ 10.0.1.2   10.0.1.1 +--------+ 10.0.2.1   10.0.2.2 +--------+
#   | client |------- veth --------| router |------- veth --------| server |
#   +--------+  to-router  to-client+--------+ to-server  to-router+--------+
#                                    FORWARD rules         INPUT/OUTPUT rules
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping socat ss
need_moat

mkhost client
mkhost router
mkhost server
link client router 10.0.1.2/24 10.0.1.1/24
link router server 10.0.2.1/24 10.0.2.2/24
ns client ip route add default via 10.0.1.1
ns server ip route add default via 10.0.2.1
ns router sysctl -qw net.ipv4.ip_forward=1

ping_ok() { ns client ping -c 1 -W 2 "$@" > /dev/null; }
ping_blocked() { ! ns client ping -c 1 -W 1 "$@" > /dev/null; }

# tcp_to HOST PORT: one TCP exchange from the client to a fresh listener.
tcp_to() {
	# ip netns exec execs socat, so $! is socat itself and can be killed.
	ip netns exec server socat TCP-LISTEN:"$2",reuseaddr SYSTEM:'echo hi' &
	local srv=$!
	wait_for listening server "$2"
	local got
	got=$(ns client socat -T 2 -u TCP:"$1":"$2",connect-timeout=2 STDOUT 2>/dev/null) || true
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	[ "$got" = hi ]
}

# counters NS CHAIN N: "packets bytes" of rule N (or the policy if N is P).
counters() {
	if [ "$3" = P ]; then
		ns "$1" moat -L "$2" -v -x -n | sed -n '1s/.*policy [A-Z]* \([0-9]*\) packets, \([0-9]*\) bytes.*/\1 \2/p'
	else
		ns "$1" moat -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1, $2 }'
	fi
}

# --- policy and a specific accept, counted exactly -----------------------
ping_ok 10.0.2.2 || fail "ping before any rule"
ns server moat -P INPUT DROP
ping_blocked 10.0.2.2 || fail "policy DROP lets ping through"
expect_eq "$(counters server INPUT P)" "1 84" "policy counters after one dropped ping"
ns server moat -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
ping_ok 10.0.2.2 || fail "echo-request ACCEPT rule does not let ping in"
expect_eq "$(counters server INPUT 1)" "1 84" "icmp rule counters after one ping"
ns server moat -Z INPUT
expect_eq "$(counters server INPUT 1)" "0 0" "-Z zeroes rule counters"
expect_eq "$(counters server INPUT P)" "0 0" "-Z zeroes policy counters"

# --- tcp ports and RETURN/jump into a user chain --------------------------
ns server moat -N svc
ns server moat -A svc -p tcp --dport 7001 -j RETURN
ns server moat -A svc -p tcp --dport 7000:7002 -j ACCEPT
ns server moat -A INPUT -j svc
tcp_to 10.0.2.2 7000 || fail "tcp 7000 accepted in svc"
ok "jump to svc, accepted by the port range"
tcp_to 10.0.2.2 7001 && fail "tcp 7001 RETURNs to INPUT and hits policy DROP"
ok "RETURN falls back to the caller and its policy"
tcp_to 10.0.2.2 7003 && fail "tcp 7003 is outside the range"
ok "port outside the range is dropped"
ns server moat -A INPUT -p tcp ! --dport 7001 -j DROP
ns server moat -I INPUT 1 -p tcp --dport 7001 -j ACCEPT
tcp_to 10.0.2.2 7001 || fail "inserted rule 1 accepts 7001"
ok "-I 1 puts the rule first"

# --- goto: RETURN from a goto'd chain returns past the goto's chain -------
ns server moat -F
ns server moat -N outer
ns server moat -N inner
ns server moat -A inner -j RETURN
ns server moat -A outer -g inner
ns server moat -A outer -j DROP
ns server moat -A INPUT -p icmp -j outer
ns server moat -A INPUT -p icmp -j ACCEPT
ping_ok 10.0.2.2 || fail "RETURN after goto should skip outer's DROP"
expect_eq "$(counters server outer 2)" "0 0" "outer's DROP never reached"
ns server moat -D outer 1
ping_blocked 10.0.2.2 || fail "outer's DROP applies once the goto is gone"
ok "delete by number"

# --- FORWARD with interface wildcards, addresses and negation ------------
ns server moat -F
ns server moat -P INPUT ACCEPT
ns router moat -A FORWARD -i to-cl+ -o to-server -p icmp -s 10.0.1.0/24 ! -d 10.0.2.9 -j DROP
ping_blocked 10.0.2.2 || fail "FORWARD drop with -i wildcard"
expect_eq "$(counters router FORWARD 1)" "1 84" "FORWARD rule counters"
ns router moat -R FORWARD 1 -i eth+ -p icmp -j DROP
ping_ok 10.0.2.2 || fail "-R with a non-matching interface lets ping through"
# The request comes from the client's net; the reply goes to it.
ns router moat -R FORWARD 1 -p icmp ! -s 10.0.1.0/24 -d 10.0.2.2 -j DROP
ping_ok 10.0.2.2 || fail "! -s of the client's net does not match"
ns router moat -D FORWARD -p icmp ! -s 10.0.1.0/24 -d 10.0.2.2 -j DROP
expect_eq "$(ns router moat -S FORWARD)" "-P FORWARD ACCEPT" "delete by rule spec"

# --- OUTPUT, udp, and fragments ------------------------------------------
ns server moat -A OUTPUT -p icmp --icmp-type echo-reply -d 10.0.1.2 -j DROP
ping_blocked 10.0.2.2 || fail "OUTPUT drop of echo-reply"
ns server moat -F OUTPUT
# Only a forwarding host sees fragments: local delivery reassembles first.
ns router moat -A FORWARD -f -j DROP
ping_ok 10.0.2.2 || fail "an unfragmented ping is not a fragment"
ping_blocked -s 3000 10.0.2.2 || fail "-f drops the later fragments of a big ping"
expect_eq "$(counters router FORWARD 1 | cut -d' ' -f1)" 2 "-f counted two later fragments"
ns router moat -R FORWARD 1 ! -f -p icmp -j DROP
ping_blocked 10.0.2.2 || fail "! -f drops a whole small ping"
ns router moat -F FORWARD
ping_ok -s 3000 10.0.2.2 || fail "big ping after flush"

ip netns exec server socat -u UDP-RECV:5000 OPEN:/tmp/udp-got,creat,trunc &
srv=$!
wait_for listening server 5000 udp
ns router moat -A FORWARD -p udp --sport 4000 -j DROP
echo dropped | ns client socat -u STDIN UDP:10.0.2.2:5000,sourceport=4000
echo passed | ns client socat -u STDIN UDP:10.0.2.2:5000,sourceport=4001
wait_for test -s /tmp/udp-got || fail "udp from port 4001 did not arrive"
kill "$srv" 2>/dev/null || true
expect_eq "$(cat /tmp/udp-got)" passed "udp --sport drop keeps only the other datagram"
expect_eq "$(counters router FORWARD 1)" "1 36" "udp rule counted one 36-byte datagram"
