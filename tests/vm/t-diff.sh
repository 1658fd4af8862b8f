#!/bin/bash
# Differential test against iptables-legacy (tests/diff/run; docs/parity.md):
# every ruleset of tests/diff/corpus restored into moat and into
# iptables-legacy, each in the router of an identical topology, the same
# packet matrix sent through both, and the saves, the packets that come
# out or back, the LOG lines, the counters and the save/restore round
# trips compared; then every restore file of tests/diff/bad must fail the
# same way on both and leave the same rulesets. Tables moat does not have
# yet are named and skipped. Last, a 100000-rule restore.
#
#   side A (moat)                          side B (iptables-legacy)
#   dA-cli -- dA-rtr -- dA-srv             dB-cli -- dB-rtr -- dB-srv
#   probes    ruleset    probes            probes    ruleset    probes
# vm-timeout: 1200
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need iptables-legacy iptables-legacy-save iptables-legacy-restore /usr/bin/python3
need_moat

harness=0
/usr/bin/python3 "$MOAT_REPO/tests/diff/run" --bin "$MOAT_REPO/build/bin" || harness=$?

# --- 100000 rules in one restore ------------------------------------------
mkhost big
tmp=$(mktemp -d)
awk 'BEGIN {
	print "*filter"
	print ":INPUT ACCEPT [0:0]"
	print ":FORWARD ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	print ":bulk - [0:0]"
	print "-A INPUT -j bulk"
	for (i = 0; i < 100000; i++)
		printf "-A bulk -s 10.%d.%d.%d/32 -p tcp -m tcp --dport %d -j DROP\n",
			i / 65536, (i / 256) % 256, i % 256, i % 65535 + 1
	print "COMMIT"
}' > "$tmp/big"
start=$(date +%s%N)
ns big iptables-restore < "$tmp/big"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "restore of 100001 rules took $ms ms"
ns big iptables-save | grep -v '^#' > "$tmp/big.saved"
cmp "$tmp/big" "$tmp/big.saved" || fail "100001 rules: save differs from the file restored"
ok "100001 rules restored and saved back identically"

[ "$harness" = 0 ] || fail "moat differs from iptables-legacy (diffs above)"
