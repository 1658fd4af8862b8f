#!/bin/bash
# moat-save and moat-restore against iptables-legacy-save/-restore, each in
# its own namespace: same output, same errors, and a failed restore leaves
# the running ruleset exactly as it was.
# vm-timeout: 600
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need iptables-legacy-save iptables-legacy-restore
need_moat

mkhost ref
mkhost mo
tmp=$(mktemp -d)

# Both sides' output with the comment lines (program name, dates) removed.
ref_save() { ns ref iptables-legacy-save "$@" | grep -v '^#'; }
mo_save() { ns mo iptables-save "$@" | grep -v '^#'; }

# both CMD...: run an iptables command line on both sides.
both() {
	ns ref iptables-legacy "$@"
	ns mo iptables "$@"
}

# restore_both FILE ARGS...: status and stderr must match too.
restore_both() {
	local f=$1 rr=0 mr=0
	shift
	ns ref iptables-legacy-restore "$@" < "$f" 2> "$tmp/ref.err" || rr=$?
	ns mo iptables-restore "$@" < "$f" 2> "$tmp/mo.err" || mr=$?
	expect_eq "$mr" "$rr" "exit status of restore $* < ${f##*/}"
	sed -i 's/ (legacy)//' "$tmp/ref.err"
	sed -i 's/ (moat [0-9.]*)//' "$tmp/mo.err"
	expect_eq "$(cat "$tmp/mo.err")" "$(cat "$tmp/ref.err")" \
		"stderr of restore $* < ${f##*/}"
}

same_saves() {
	expect_eq "$(mo_save "$@")" "$(ref_save "$@")" "save $*"
}

# --- a ruleset built with commands saves identically ---------------------
both -N web
both -N "z-last"
both -N admin
both -P FORWARD DROP
both -A INPUT -i lo -j ACCEPT
both -A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j admin
both -A INPUT -p udp --sport 53 ! -d 10.1.2.3 -j ACCEPT
both -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
both -A web -p tcp --dport 80:90 -j RETURN
both -A admin -s 192.168.1.0/24 -g web
both -A OUTPUT -o eth+ -f -j DROP
both -A FORWARD -c 123456 7890123 -j ACCEPT
both -A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset
both -A INPUT -j LOG --log-prefix "it's \"q\" \\ " --log-level 6 --log-uid
both -A OUTPUT -j REJECT --reject-with icmp-admin-prohibited
same_saves
same_saves -c
same_saves -t filter

# --- restore of the saved file into fresh namespaces ---------------------
ref_save -c > "$tmp/full.rules"
mkhost ref2
mkhost mo2
ns ref2 iptables-legacy-restore -c < "$tmp/full.rules"
ns mo2 iptables-restore -c < "$tmp/full.rules"
expect_eq "$(ns mo2 iptables-save -c | grep -v '^#')" \
	"$(ns ref2 iptables-legacy-save -c | grep -v '^#')" "restore -c round trip"

# --- failures: same words, nothing changed --------------------------------
before=$(mo_save -c)
printf '*filter\n:INPUT DROP [0:0]\n:x - [0:0]\n-A INPUT -j x\n-A x -p tcp --bogus\nCOMMIT\n' > "$tmp/badopt"
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\n-A nochain -j ACCEPT\nCOMMIT\n' > "$tmp/nochain"
printf '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ACCEPT\n' > "$tmp/nocommit"
printf '*filter\n:INPUT BOGUS [0:0]\nCOMMIT\n' > "$tmp/badpolicy"
printf '*filter\n:FOO - [0:0]\n:FOO - [0:0]\nCOMMIT\n' > "$tmp/dupchain"
printf 'garbage\n' > "$tmp/garbage"
printf '*filter\n:a - [0:0]\n:b - [0:0]\n-A INPUT -j a\n-A a -j b\n-A b -j a\nCOMMIT\n' > "$tmp/loop"
for f in badopt nochain nocommit badpolicy dupchain garbage loop; do
	restore_both "$tmp/$f"
	expect_eq "$(mo_save -c)" "$before" "ruleset unchanged after failed restore of $f"
done

# A failed restore closed its socket mid-transaction: the table is free.
ns mo iptables -A INPUT -s 10.9.9.9 -j DROP
ns mo iptables -D INPUT -s 10.9.9.9 -j DROP
ok "no transaction left behind by a failed restore"

# --- --noflush, --test, -T -------------------------------------------------
printf '*filter\n:web - [0:0]\n:new - [0:0]\n-A web -j new\n-A INPUT -s 10.7.7.7 -j web\nCOMMIT\n' > "$tmp/add"
restore_both "$tmp/add" -n
same_saves
restore_both "$tmp/full.rules" -t
same_saves
printf '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' > "$tmp/flushall"
restore_both "$tmp/flushall" -T nat
same_saves
restore_both "$tmp/flushall"
same_saves

# --- a big restore is one transaction, batched ----------------------------
awk 'BEGIN {
	print "*filter"
	for (i = 0; i < 10000; i++)
		printf "-A INPUT -s 10.%d.%d.1/32 -p tcp --dport %d -j DROP\n", i / 250, i % 250, i + 1
	print "COMMIT"
}' > "$tmp/big"
start=$(date +%s%N)
ns mo iptables-restore < "$tmp/big"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "$(ns mo iptables -S INPUT | wc -l)" 10001 "10000 rules restored"
echo "restore of 10000 rules took $ms ms"

# --- restores racing for a table: each all or nothing ---------------------
# Two loops restore different files into one table at once, and a third
# saves it meanwhile. A restore that finds the table in the other's
# transaction fails (exit 1, saying so) and changes nothing: every save
# shows one file whole, or the table before either. (A restore used to
# stream its rules before its BEGIN was answered: one that lost the race
# had them applied one by one, outside any transaction.)
mkhost race
for f in a b; do
	awk -v f=$f 'BEGIN {
		print "*filter"
		for (i = 0; i < 2000; i++)
			printf "-A INPUT -s 10.%d.%d.%d/32 -j %s\n", f == "a" ? 1 : 2, i / 250, i % 250 + 1,
				f == "a" ? "DROP" : "ACCEPT"
		print "COMMIT"
	}' > "$tmp/race-$f"
	grep '^-A' "$tmp/race-$f" > "$tmp/race-$f.rules"
	: > "$tmp/race-$f.rc"
	: > "$tmp/race-$f.err"
done
# racer F: restores race-F 10 times; writes each exit status to race-F.rc.
racer() {
	local i rc
	for i in $(seq 10); do
		rc=0
		ns race moat-restore < "$tmp/race-$1" 2>> "$tmp/race-$1.err" || rc=$?
		echo $rc >> "$tmp/race-$1.rc"
	done
}
racer a &
ra=$!
racer b &
rb=$!
saves=0
while kill -0 $ra 2> /dev/null || kill -0 $rb 2> /dev/null; do
	ns race moat-save -t filter | grep '^-A' > "$tmp/race-now" || true
	cmp -s "$tmp/race-now" "$tmp/race-a.rules" || cmp -s "$tmp/race-now" "$tmp/race-b.rules" ||
		[ ! -s "$tmp/race-now" ] ||
		fail "a save during the race shows a mix: $(wc -l < "$tmp/race-now") rules, $(grep -c DROP "$tmp/race-now") of a's"
	saves=$((saves + 1))
done
wait $ra
wait $rb
ok "$saves saves during the race: each one file whole or the table before"
for f in a b; do
	[ -z "$(grep -v '^[01]$' "$tmp/race-$f.rc")" ] ||
		fail "restores of $f: exit statuses $(sort "$tmp/race-$f.rc" | uniq -c | tr '\n' ' ')"
	grep -v -e '^moat-restore: line 1 failed$' \
		-e '^moat-restore: another socket has a transaction open on this table$' \
		"$tmp/race-$f.err" && fail "restores of $f: other messages (above)"
	ok "restores of $f: $(grep -c '^0$' "$tmp/race-$f.rc") of 10 done, the others refused whole"
done
