#!/bin/bash
# Rules must not outlive what holds them:
#   - a namespace deleted with rules and traffic in flight frees its tables;
#   - namespaces made and dropped many times leave nothing behind;
#   - the module loaded and unloaded 100 times, each time with rules of
#     every table in the initial namespace, every tenth time in another
#     too, with traffic through them, that namespace deleted before rmmod
#     or after it: no warning, and the kernel memory comes back (the
#     objects charged to the test's memory cgroup within 64 KiB, the
#     global unreclaimable slab and per-CPU memory within 1 MiB);
#   - rules left in the initial namespace at the end are freed by the
#     harness's own rmmod (guest-run's rmmod and dmesg checks run after
#     this test and fail on any leak or warning).
# rmmod with NAT connections alive is t-nat's last part.
#
#   +-----+ 10.0.1.1          10.0.1.2 +-----+
#   |  a  |------------ veth ----------|  b  |   b: INPUT rules, pinged
#   +-----+                            +-----+      while it is deleted
#
#   +-------------------+  +--------------------------------------+
#   | initial: a table  |  | cyc (every tenth time): the same     |  x100,
#   | of each kind      |  | tables, pinging itself through them  |  rmmod
#   +-------------------+  +--------------------------------------+
# vm-timeout: 600
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping modprobe rmmod insmod strip
need_moat

dmesg_mark

# --- a namespace deleted under traffic -------------------------------------
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

# --- load and unload ---------------------------------------------------------
# Every table, user chains and jumps, and the matches and targets that
# keep state of their own (limit buckets, recent lists, conntrack).
ruleset='*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p icmp -j MARK --set-xmark 0x7/0xffffffff
-A OUTPUT -p tcp -j TOS --set-tos 0x10/0x3f
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.10:80
-A POSTROUTING -o wan0 -j MASQUERADE
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:seen - [0:0]
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p icmp -m recent --set --name pings --rsource -j seen
-A INPUT -p tcp -m tcp --dport 22 -j REJECT --reject-with tcp-reset
-A seen -m limit --limit 100/sec --limit-burst 5 -j ACCEPT
-A seen -m mark --mark 0x7 -j ACCEPT
COMMIT'

# cycle N: load, the rules in the initial namespace, unload; every tenth
# cycle also in namespace cyc, with a ping through its rules, and cyc
# deleted before rmmod or (every twentieth) after it. The module is
# loaded from a copy without debug sections, a 25th of the size.
cycle() {
	insmod "$ko"
	echo "$ruleset" | moat-restore
	if [ $(($1 % 10)) = 0 ]; then
		ip netns add cyc
		ip -n cyc link set lo up
		echo "$ruleset" | ip netns exec cyc moat-restore
		ip netns exec cyc ping -c 1 -W 2 127.0.0.1 > /dev/null ||
			fail "cycle $1: a ping through the rules"
		[ $(($1 % 20)) = 10 ] && ip netns delete cyc
	fi
	rmmod moat || fail "cycle $1: rmmod with rules"
	[ -e /sys/module/moat ] && fail "cycle $1: moat still loaded after rmmod"
	[ -e /run/netns/cyc ] && ip netns delete cyc
	return 0
}

ko=$(mktemp --suffix=.ko)
strip --strip-debug -o "$ko" "$MOAT_KO"
rmmod moat
# Caches that the first loads fill stay warm: a few cycles before the
# baseline.
for i in 10 20; do
	cycle "$i"
done
kmem_before=$(kmem_kb)
cg=$(memcg_new moat-teardown)
memcg_enter "$cg"
start=$SECONDS
# 20 on the debug kernel, where a cycle takes seconds and kmemleak finds a
# single leaked object: a leak need not add up over 100.
cycles=100
leaks_by_kmemleak && cycles=20
for i in $(seq $cycles); do
	cycle "$i"
done
ok "$cycles cycles of insmod, rules (and traffic in a namespace every tenth time), rmmod ($((SECONDS - start)) s)"
rm -f "$ko"
kmem_returned "$cg" "$kmem_before" "$cycles cycles"
dmesg_clean "after $cycles cycles"
moat_load

# --- rules left for the harness's rmmod ------------------------------------
moat -N keep
moat -A keep -p tcp --dport 22 -j RETURN
moat -A INPUT -j keep
moat -A OUTPUT -p icmp -j ACCEPT
expect_eq "$(moat -S | wc -l)" 7 "rules left in the initial namespace for rmmod"
