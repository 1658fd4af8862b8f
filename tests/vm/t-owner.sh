#!/bin/bash
# -m owner on OUTPUT: datagrams of uid 65534 are dropped, root's pass;
# --socket-exists tells locally made packets from forwarded ones.
#
#   +-----+ 10.0.1.1          10.0.1.2 +------+
#   |  a  |------------ veth ----------| sink |  a: OUTPUT owner rules
#   +-----+                            +------+
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need socat setpriv
need_moat

mkhost a
mkhost sink
link a sink 10.0.1.1/24 10.0.1.2/24

ns a moat -A OUTPUT -p udp -m owner --uid-owner 65534 -j DROP
ns a moat -A OUTPUT -p udp -m owner --socket-exists -j ACCEPT

got=$(mktemp)
ip netns exec sink socat -u UDP-RECV:5000 OPEN:"$got",creat,append &
wait_for listening sink 5000 udp
# A DROP on OUTPUT fails the sender's write with EPERM, as with iptables.
if echo nobody | ip netns exec a setpriv --reuid=65534 --regid=65534 \
	--clear-groups socat -u - UDP:10.0.1.2:5000 2>/dev/null; then
	fail "nobody's datagram was sent"
fi
echo root | ns a socat -u - UDP:10.0.1.2:5000
wait_for grep -q root "$got"
expect_eq "$(cat "$got")" root "only root's datagram arrived"
expect_eq "$(ns a moat -L OUTPUT -v -x -n | awk 'NR == 3 { print $1 } NR == 4 { print $1 }' | tr '\n' ' ')" \
	"1 1 " "uid rule dropped one, socket-exists accepted one"
