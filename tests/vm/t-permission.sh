#!/bin/bash
# Only CAP_NET_ADMIN over the user namespace that owns a network namespace
# lets a caller use moat there:
#   - an unprivileged user is refused: the tool says so (exit 3), and the
#     module answers every command, dumps too, with EPERM;
#   - root of a user namespace (a container's root) is refused in every
#     network namespace its user namespace does not own: the initial one,
#     and another's even through a socket opened there by the real root;
#   - but manages the one it owns: rules, save, restore, packets filtered
#     by them; and it sees nothing of the other namespaces' rules.
#
#   +----------------------------+   +-------------------------------+
#   | other (owned by init's     |   | ct: user ns + net ns; its     |
#   | user ns): rules            |   | root manages its own rules,   |
#   +----------------------------+   | pings itself through them     |
#     ^ a socket opened here,        +-------------------------------+
#       used by a new user ns's root: EPERM
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need setpriv unshare nsenter python3 ping
need_moat

nlfuzz=$MOAT_REPO/tests/vm/tools/nlfuzz.py
banner="moat v$(cat "$MOAT_REPO/VERSION")"
init_rules=$(moat-save | sed '/^#/d')

# --- an unprivileged user -------------------------------------------------
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
rc=0
out=$(nobody moat --info 2>&1) || rc=$?
expect_eq "$rc" 3 "exit status of an unprivileged moat --info"
expect_eq "$out" "$banner: Permission denied (you must be root)" \
	"message of an unprivileged moat --info"
rc=0
out=$(nobody moat -A INPUT -j DROP 2>&1) || rc=$?
expect_eq "$rc:$out" "3:$banner: can't initialize iptables table \`filter': Permission denied (you must be root)
Perhaps iptables or your kernel needs to be upgraded." "an unprivileged moat -A, in iptables' words"
rc=0
out=$(nobody moat-save 2>&1) || rc=$?
if [ "$rc" -eq 0 ] || [[ $out != *"Permission denied"* ]]; then
	fail "an unprivileged moat-save: exit $rc, '$out'"
fi
ok "an unprivileged moat-save: exit $rc, '$out'"
rc=0
out=$(printf '*filter\n-A INPUT -j DROP\nCOMMIT\n' | nobody moat-restore 2>&1) || rc=$?
if [ "$rc" -eq 0 ] || [[ $out != *"Permission denied"* ]]; then
	fail "an unprivileged moat-restore: exit $rc, '$out'"
fi
ok "an unprivileged moat-restore: exit $rc, '$out'"
expect_eq "$(moat-save | sed '/^#/d')" "$init_rules" "the initial namespace unchanged"
nobody python3 -B "$nlfuzz" --refused
ok "the module refuses every command of an unprivileged user"

# --- root of a user namespace, outside its own network namespace -----------
rc=0
out=$(unshare --user --map-root-user moat --info 2>&1) || rc=$?
expect_eq "$rc" 3 "root of a child user namespace in the initial netns"

mkhost other
ns other moat -N guarded
ns other moat -A guarded -p tcp --dport 22 -j ACCEPT
ns other moat -A INPUT -j guarded
ns other moat -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 10.0.0.1
before=$(ns other moat-save | grep -v '^#')
ns other python3 -B "$nlfuzz" --refused --unshare-user
ok "a socket of another namespace, used by root of a new user namespace: every command refused"
expect_eq "$(ns other moat-save | grep -v '^#')" "$before" "the other namespace unchanged"

# --- a container: user namespace and the network namespace it owns ---------
unshare --user --map-root-user --net sleep infinity &
ctpid=$!
trap 'rc=$?; kill $ctpid 2> /dev/null; (exit $rc); _lib_cleanup' EXIT
wait_for test -e "/proc/$ctpid/ns/net"
wait_for sh -c "[ \"\$(readlink /proc/$ctpid/ns/user)\" != \"\$(readlink /proc/self/ns/user)\" ]"
# ct CMD...: CMD as the container's root (uid 0 in its user namespace, no
# capability over the initial one), in the container's network namespace.
ct() {
	nsenter -t "$ctpid" -U -n "$@"
}
rc=0
ct nsenter --net=/run/netns/other true 2> /dev/null || rc=$?
[ "$rc" -ne 0 ] || fail "the container's root entered the other namespace"
ok "the container's root cannot enter the other namespace"

expect_eq "$(ct moat --info | tail -n 1)" "tables: (none)" "the container sees no table of another namespace"
ct ip link set lo up
ct ping -c 1 -W 2 127.0.0.1 > /dev/null || fail "the container cannot ping itself"
ct moat -A INPUT -p icmp -j DROP
expect_fail "the container's DROP rule drops its own ping" ct ping -c 1 -W 1 127.0.0.1
expect_eq "$(ct moat -L INPUT -v -x -n | awk 'NR == 3 { print $1 }')" 1 "the container's rule counted the ping"
ct moat -D INPUT -p icmp -j DROP
ct ping -c 1 -W 2 127.0.0.1 > /dev/null || fail "the container's ping after -D"
ok "the container's -D let its ping through again"

rules='*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 80
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:web - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j web
-A web -s 10.0.0.0/8 -j ACCEPT
COMMIT'
echo "$rules" | ct moat-restore
expect_eq "$(ct moat-save -t nat | grep -v '^#')
$(ct moat-save -t filter | grep -v '^#')" "$rules" "the container's restore saves back the same"
expect_eq "$(ns other moat-save | grep -v '^#')" "$before" "the other namespace still unchanged"
expect_eq "$(moat-save | sed '/^#/d')" "$init_rules" "the initial namespace still unchanged"
