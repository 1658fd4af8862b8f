#!/bin/bash
# Rules must not outlive what holds them: a namespace deleted with rules
# and traffic in flight frees its tables, and rules left in the initial
# namespace are freed by rmmod (guest-run's rmmod and dmesg checks run
# after this test and fail on any leak or warning).
#
#   +-----+ 10.0.1.1          10.0.1.2 +-----+
#   |  a  |------------ veth ----------|  b  |   b: INPUT rules, pinged
#   +-----+                            +-----+      while it is deleted
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping
need_moat

moat -N keep
moat -A keep -p tcp --dport 22 -j RETURN
moat -A INPUT -j keep
moat -A OUTPUT -p icmp -j ACCEPT
expect_eq "$(moat -S | wc -l)" 7 "rules left in the initial namespace for rmmod"

mkhost a
mkhost b
link a b 10.0.1.1/24 10.0.1.2/24
ns b moat -N c1
ns b moat -A c1 -p icmp -j ACCEPT
ns b moat -A INPUT -j c1
ns a ping -q -f -w 3 10.0.1.2 > /dev/null &
flood=$!
wait_for ns b sh -c 'moat -L c1 -v -x -n | awk "NR == 3 && \$1 > 100 { ok = 1 } END { exit !ok }"'
ok "flood counted in b"
ip netns delete b
wait "$flood" || true
ok "namespace b deleted under traffic"

# A namespace made and dropped many times leaves nothing behind.
for i in $(seq 20); do
	ip netns add churn
	ip netns exec churn moat -A INPUT -s 10.9.9.9 -j DROP
	ip netns delete churn
done
ok "20 namespaces with rules created and deleted"
