#!/bin/bash
# With moat.ko loaded and no rules, traffic between two hosts still flows:
# ping both ways and one TCP exchange. The negative cases (an address nobody
# has, a port nobody listens on) show the checks can fail.
#
#   +-----+ to-b   10.0.1.1/24        10.0.1.2/24   to-a +-----+
#   |  a  |---------------------- veth ----------------------|  b  |
#   +-----+                                                  +-----+
#                                              socat listens on :7000
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping socat ss
need_moat

mkhost a
mkhost b
link a b 10.0.1.1/24 10.0.1.2/24

ns a ping -c 1 -W 2 10.0.1.2 || fail "ping a -> b"
ok "ping a -> b"
ns b ping -c 1 -W 2 10.0.1.1 || fail "ping b -> a"
ok "ping b -> a"
expect_fail "ping to 10.0.1.3, which nobody has" \
	ns a ping -c 1 -W 1 10.0.1.3

ns b socat TCP-LISTEN:7000,bind=10.0.1.2,reuseaddr SYSTEM:'echo moat-tcp-ok' &
server=$!
wait_for listening b 7000
got=$(ns a socat -T 5 -u TCP:10.0.1.2:7000 STDOUT)
expect_eq "$got" moat-tcp-ok "TCP a -> b:7000 reply"
wait $server || fail "socat server exited $?"

expect_fail "TCP to b:7001, where nobody listens" \
	ns a socat -T 5 -u TCP:10.0.1.2:7001 STDOUT
