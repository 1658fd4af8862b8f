#!/bin/bash
# A chain's rule list is pages shared between its versions and copied on
# write (kernel/rules.c): thousands of edits of every kind, one command at
# a time and many to a transaction, must leave exactly the rules a model
# of the list holds (tools/pages.py), and a packet must still find the
# one rule it matches, counted there and nowhere else, with the index on
# and off.
#
#   +--------+ 10.0.1.2   10.0.1.1 +----+
#   | client |------- veth --------| fw |  ~1500 rules on INPUT
#   +--------+                     +----+
# vm-timeout: 600
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need python3
need_moat

param=/sys/module/moat/parameters/classify
[ -w "$param" ] || fail "$param missing"
trap 'rc=$?; echo 1 > "$param"; (exit $rc); _lib_cleanup' EXIT

mkhost client
mkhost fw
link client fw 10.0.1.2/24 10.0.1.1/24
port=7777

out=$(python3 "$MOAT_REPO/tests/vm/tools/pages.py" fw "$port" 1) ||
	fail "the rule list and its model parted"
probe=$(echo "$out" | tail -n1)
ok "every edit left the model's rules ($(echo "$out" | head -n1)); the probe is rule $probe"

# send N: N datagrams from client to fw's probe port.
send() {
	ns client python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range($1):
    s.sendto(b'x', ('10.0.1.1', $port))"
}

# Rules that counted packets, as 'position packets'.
counted() {
	ns fw moat -L INPUT -n -v -x --line-numbers | awk 'NR > 2 && $2 != 0 { print $1, $2 }'
}

for on in 1 0; do
	echo "$on" > "$param"
	sleep 1	# the index of the edited list is built in a work item
	ns fw moat -Z INPUT
	send 3
	expect_eq "$(counted)" "$probe 3" "classify=$on: the probe alone counted the 3 packets"
done
