#!/bin/bash
# moat -M lists the namespace's tracked connections as conntrack -L does,
# with [SNAT]/[DNAT] where NAT applied. a sends a ping to 10.0.1.99, which
# its own DNAT sends to b, and a TCP connection to b that its SNAT makes
# come from 10.0.1.11 (a second address of a).
#
#   +-----+ to-b  10.0.1.1/24           10.0.1.2/24  to-a +-----+
#   |  a  |          10.0.1.11/24 -- veth --------------------|  b  |
#   +-----+                                                   +-----+
#   nat OUTPUT:      -p icmp -d 10.0.1.99 -j DNAT --to-destination 10.0.1.2
#   nat POSTROUTING: -p tcp -j SNAT --to-source 10.0.1.11
#                                            socat listens on :7000
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping socat ss conntrack
need_moat

mkhost a
mkhost b
link a b 10.0.1.1/24 10.0.1.2/24
ip -n a addr add 10.0.1.11/24 dev to-b

# b tracks nothing: no rule there asks for conntrack.
out=$(ns b moat -M 2>/dev/null) || fail "moat -M in b exited $?"
expect_eq "$out" "" "b has no connections listed"

ns a moat -t nat -A OUTPUT -p icmp -d 10.0.1.99 -j DNAT --to-destination 10.0.1.2
ns a moat -t nat -A POSTROUTING -p tcp -j SNAT --to-source 10.0.1.11

ns a ping -c 1 -W 2 10.0.1.99 > /dev/null || fail "ping 10.0.1.99 (DNAT to b)"
ok "ping 10.0.1.99 answered by b"

ns b socat TCP-LISTEN:7000,bind=10.0.1.2,reuseaddr SYSTEM:'echo moat-ct-ok' &
server=$!
wait_for listening b 7000
got=$(ns a socat -T 5 -u TCP:10.0.1.2:7000 STDOUT)
expect_eq "$got" moat-ct-ok "TCP a -> b:7000 through SNAT"
wait $server || fail "socat server exited $?"

list=$(ns a moat -M -L -n 2>/dev/null)
echo "$list"
echo "$list" | grep -Eq '^icmp     1 [0-9]+ src=10\.0\.1\.1 dst=10\.0\.1\.99 type=8 code=0 id=[0-9]+ src=10\.0\.1\.2 dst=10\.0\.1\.1 type=0 code=0 id=[0-9]+ \[DNAT\] mark=0 use=1$' ||
	fail "no DNAT'ed icmp line"
ok "icmp line with [DNAT]"
echo "$list" | grep -Eq '^tcp      6 [0-9]+ [A-Z_]+ src=10\.0\.1\.1 dst=10\.0\.1\.2 sport=[0-9]+ dport=7000 src=10\.0\.1\.2 dst=10\.0\.1\.11 sport=7000 dport=[0-9]+ \[ASSURED\] \[SNAT\] mark=0 use=1$' ||
	fail "no SNAT'ed tcp line"
ok "tcp line with [ASSURED] [SNAT]"
expect_eq "$(echo "$list" | wc -l)" 2 "exactly two connections"

# Without moat's marks, the lines are conntrack -L's (timeouts may tick).
strip() { sed -E 's/ \[[SD]NAT\]//; s/^([a-z]+ +[0-9]+) [0-9]+/\1/' | sort; }
theirs=$(ns a conntrack -L 2>/dev/null | strip)
expect_eq "$(echo "$list" | strip)" "$theirs" "same lines as conntrack -L"

summary=$(ns a moat -M 2>&1 >/dev/null)
expect_eq "$summary" "moat: 2 flow entries have been shown." "summary on stderr"
expect_fail "moat -M takes -L and -n only" ns a moat -M -F
