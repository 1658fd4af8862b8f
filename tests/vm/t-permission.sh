#!/bin/bash
# Only CAP_NET_ADMIN over a namespace's owner may talk to moat there:
#   - an unprivileged user is refused with a clear message and exit 3;
#   - root of a new user namespace is refused in the initial netns,
#   - but manages a netns that its own user namespace owns.
. "$MOAT_REPO/tests/vm/lib.sh"

rc=0
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups moat --info 2>&1) || rc=$?
expect_eq "$rc" 3 "exit status of an unprivileged moat --info"
expect_eq "$out" "moat v$(cat "$MOAT_REPO/VERSION"): Permission denied (you must be root)" \
	"message of an unprivileged moat --info"

rc=0
out=$(unshare --user --map-root-user moat --info 2>&1) || rc=$?
expect_eq "$rc" 3 "root of a child user namespace in the initial netns"

out=$(unshare --user --map-root-user --net moat --info)
expect_eq "$(echo "$out" | tail -n 1)" "tables: (none)" \
	"root of a child user namespace in its own netns"
