#!/bin/bash
# The per-namespace caps (module parameters max_rules, max_rule_mem): a
# change past them (a rule, a command of several rules, a restore) fails
# whole with exit status 4, the ruleset unchanged; other namespaces have
# their own room.
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need_moat

rules_param=/sys/module/moat/parameters/max_rules
mem_param=/sys/module/moat/parameters/max_rule_mem
[ -w "$rules_param" ] && [ -w "$mem_param" ] || fail "limit parameters missing"
old_rules=$(cat "$rules_param")
old_mem=$(cat "$mem_param")
trap 'rc=$?; echo "$old_rules" > "$rules_param"; echo "$old_mem" > "$mem_param"; (exit $rc); _lib_cleanup' EXIT

mkhost a
mkhost b

# restore_n N: a filter table of N rules, and 2 in nat.
restore_n() {
	{
		echo "*filter"
		echo ":INPUT ACCEPT [0:0]"
		for i in $(seq "$1"); do echo "-A INPUT -s 10.1.0.$i/32 -j DROP"; done
		echo "COMMIT"
	}
}

echo 20 > "$rules_param"
restore_n 15 | ns a moat-restore
ns a moat -t nat -A PREROUTING -p tcp --dport 1 -j DNAT --to-destination 10.0.0.1
ns a moat -t nat -A PREROUTING -p tcp --dport 2 -j DNAT --to-destination 10.0.0.1
before=$(ns a moat-save | grep -v '^#')

# Up to the cap: 15 + 2 + 3 = 20.
for i in 1 2 3; do ns a moat -A FORWARD -s 10.2.0.$i -j ACCEPT; done
ok "20 rules fit a cap of 20"
set +e
out=$(ns a moat -A FORWARD -s 10.2.0.4 -j ACCEPT 2>&1)
rc=$?
set -e
expect_eq "$rc" 4 "the 21st rule: exit status 4"
case $out in
*"Too many rules"*) ok "the 21st rule: '$out'" ;;
*) fail "the 21st rule's message: '$out'" ;;
esac
ns a moat -F FORWARD

# One command of several rules is one change: 17 + 4 do not fit, and
# none of the 4 goes in (3 used to).
set +e
out=$(ns a moat -A FORWARD -s 10.2.0.1,10.2.0.2,10.2.0.3,10.2.0.4 -j ACCEPT 2>&1)
rc=$?
set -e
expect_eq "$rc" 4 "4 rules in one command past the cap: exit status 4"
expect_eq "$(ns a moat -S FORWARD)" "-P FORWARD ACCEPT" "none of the 4 rules went in"

# A restore past the cap changes nothing; one within it replaces the table.
set +e
restore_n 19 | ns a moat-restore 2> /tmp/t-limits.err
rc=$?
set -e
expect_eq "$rc" 4 "a restore past the cap: exit status 4"
grep -q "Too many rules" /tmp/t-limits.err || fail "restore's message: $(cat /tmp/t-limits.err)"
expect_eq "$(ns a moat-save | grep -v '^#')" "$before" "the ruleset is unchanged"
restore_n 18 | ns a moat-restore
expect_eq "$(ns a moat -S INPUT | wc -l)" 19 "a restore within the cap (18 + 2 nat)"

# -R at the cap replaces in place; another namespace has its own 20.
ns a moat -R INPUT 1 -s 10.3.0.1 -j DROP
ok "-R at the cap"
restore_n 20 | ns b moat-restore
ok "namespace b has its own room"

# The memory cap: room for a few rules only.
echo 0 > "$rules_param"
echo 2000 > "$mem_param"
set +e
restore_n 40 | ns b moat-restore 2> /dev/null
rc=$?
set -e
expect_eq "$rc" 4 "a restore past max_rule_mem: exit status 4"
expect_eq "$(ns b moat -S INPUT | wc -l)" 21 "b unchanged"

# A recent list is counted too: one for --hitcount 255 keeps 256 stamps
# for each of its 100 addresses, some 200 KiB, so 2 MiB holds 10 rules
# that make one each where it holds some 7000 plain ones.
echo 2097152 > "$mem_param"
mkhost c
n=0
while [ $n -lt 100 ] && ns c moat -A INPUT -m recent --name r$n --rcheck --hitcount 255 -j DROP 2> /dev/null; do
	n=$((n + 1))
done
echo "recent rules of --hitcount 255 that fit max_rule_mem=2 MiB: $n"
[ "$n" -ge 5 ] && [ "$n" -le 10 ] || fail "$n recent rules of 200 KiB lists fit 2 MiB"
ok "max_rule_mem counts recent lists: $n of --hitcount 255 fit 2 MiB"
ns c moat -F INPUT
ns c moat -A INPUT -m recent --name r0 --rcheck --hitcount 1 -j DROP
ok "a small recent list fits once the big ones are gone"
ip netns delete c

# Rules added and taken out again inside one transaction (a restore that
# appends and flushes over and over) are freed while it is still open:
# what the open transaction holds is bounded by what it keeps, not by
# all it ever added. 200 rounds of 500 -A and a -F add 100000 rules (some
# 9 MiB of rules if none were freed); the module may keep 1 MiB of them
# until the commit.
echo "$old_rules" > "$rules_param"
echo "$old_mem" > "$mem_param"
# churn_body ROUNDS: a filter table, ROUNDS times 500 rules and a flush.
churn_body() {
	echo "*filter"
	awk -v n="$1" 'BEGIN { for (k = 0; k < n; k++) {
		for (i = 0; i < 500; i++) printf "-A INPUT -s 10.%d.%d.%d/32 -j DROP\n", k % 200, i / 250, i % 250
		print "-F INPUT" } }'
}
# open_txn_kb ROUNDS: sets kb to the kernel memory (KiB) charged to a
# restore of churn_body ROUNDS in a fresh namespace, read before its
# COMMIT. (Not in $(...): memcg_enter moves this shell, $$.)
open_txn_kb() {
	local cg body=/tmp/t-limits.churn
	churn_body "$1" > $body
	mkhost churn
	cg=$(memcg_new moat-churn)
	memcg_enter "$cg"
	{ cat $body; sleep 6; echo COMMIT; } | ns churn moat-restore &
	memcg_leave "$cg"
	sleep 4
	kb=$(memcg_kb "$cg")
	wait $!
	ip netns delete churn
	rm -f $body
	sleep 1
	rmdir "$cg" 2> /dev/null || true
}
if leaks_by_kmemleak; then
	ok "open-transaction memory: no memory cgroups on this kernel"
else
	open_txn_kb 1
	one=$kb
	open_txn_kb 200
	many=$kb
	echo "kernel memory of an open restore: $one KiB after 500 rules, $many KiB after 100000 (flushed 200 times)"
	[ $((many - one)) -le 2048 ] ||
		fail "an open transaction held $((many - one)) KiB more after 200 flushes"
	ok "rules added and flushed in an open transaction are freed before its commit"
fi
