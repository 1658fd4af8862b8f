#!/bin/bash
# Output parity with iptables-legacy: every case in tests/parity/cases runs
# through moat's iptables and through iptables-legacy, each side in a fresh
# network namespace, and every exit status, message and listing must be the
# same byte for byte (docs/parity.md). A mismatch prints the first differing
# command of each failing case with a unified diff.
#
#   +--------------+                +--------------+
#   | netns: moat  |  same commands | netns: ref   |
#   | iptables     | <------------> | iptables-    |
#   | (moat.ko)    |    compare     | legacy       |
#   +--------------+                +--------------+
# vm-timeout: 900
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need iptables-legacy /usr/bin/python3
need_moat

/usr/bin/python3 "$MOAT_REPO/tests/parity/run" --quiet \
	--moat "$MOAT_REPO/build/bin/iptables" ||
	fail "iptables output differs from iptables-legacy's (diffs above)"
