#!/bin/bash
# The GET_INFO command end to end, in the initial namespace and in a fresh
# one: every namespace has its own (still empty) state.
. "$MOAT_REPO/tests/vm/lib.sh"

out=$(moat --info)
expect_eq "$out" "module version: $(cat "$MOAT_REPO/VERSION")
tables: (none)" "moat --info in the initial namespace"

mkhost a
out=$(ns a moat --info)
expect_eq "$(echo "$out" | tail -n 1)" "tables: (none)" "moat --info in netns a"

tmp=$(mktemp -d)
# --debug dumps every message: request, reply and ACK, for the family
# lookup and for GET_INFO.
moat --debug --info 2>"$tmp/debug.log" >/dev/null
expect_eq "$(grep -c "| message length |" "$tmp/debug.log")" 6 \
	"messages dumped by --debug"
