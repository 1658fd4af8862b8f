#!/bin/bash
# The boot path, as an installed system runs it: `make install` into the
# guest's throwaway root (the tmpfs overlay), then the exact ExecStart=
# lines of the installed moat.service, in order, against an
# /etc/moat/rules.v4 (docs/examples/stateful-server.rules). The module the
# harness loaded is removed first, so the unit's modprobe must load the
# installed copy. The commands run in a namespace of their own:
#
#   +------+
#   | boot |  /sbin/modprobe moat; moat-restore /etc/moat/rules.v4
#   +------+
#
# Then: the saved ruleset equals the file; a rules.v4 with a bad line makes
# the restore fail and leaves the ruleset as it was; the iptables names
# (IPTABLES_LINKS=1) and the documented update-alternatives commands make
# /usr/sbin/iptables run moat.
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need make depmod modprobe rmmod update-alternatives
need_moat

repo=$MOAT_REPO
kver=$(uname -r)
tmp=$(mktemp -d)
rules=docs/examples/stateful-server.rules
[ -f "/lib/modules/$kver/modules.dep" ] ||
	skip "no module tree for $kver (everything built in): nothing for modprobe to find"

# quick_depmod: what `depmod -a` does for moat, reading only moat.ko and
# the modules it needs or loads. A full depmod reads all of Debian's 4000 modules
# over 9p, which takes minutes under TCG. The index files it replaces are
# put back when the test ends.
moddir=/lib/modules/$kver
quick_depmod() {
	local base=$tmp/depmod lib todo m dep path
	lib=$base$moddir
	mkdir -p "$lib/updates"
	cp "$moddir"/modules.order "$moddir"/modules.builtin* "$lib/"
	cp "$moddir/updates/moat.ko" "$lib/updates/"
	# nf_log_syslog: the kernel asks for it by alias when a LOG rule comes.
	todo="$(modinfo -F depends "$moddir/updates/moat.ko" | tr , ' ') nf_log_syslog"
	while [ -n "$todo" ]; do
		set -- $todo
		m=$1
		shift
		todo=$*
		path=$(modinfo -k "$kver" -n "$m")
		[ -e "$lib/${path#"$moddir"/}" ] && continue
		install -D -m 644 "$path" "$lib/${path#"$moddir"/}"
		for dep in $(modinfo -k "$kver" -F depends "$m" | tr , ' '); do
			todo="$todo $dep"
		done
	done
	depmod -b "$base" "$kver"
	mkdir -p "$tmp/index"
	cp -a "$moddir"/modules.* "$tmp/index/"
	cp "$lib"/modules.dep* "$lib"/modules.alias* "$lib"/modules.symbols* "$moddir/"
}
restore_index() {
	[ -d "$tmp/index" ] && cp -a "$tmp/index"/modules.* "$moddir/"
	return 0
}
trap 'rc=$?; restore_index; (exit $rc); _lib_cleanup' EXIT

# --- make install, as root on a live system ------------------------------
make -C "$repo" --no-print-directory install KVER="$kver" MODULE_KO="$MOAT_KO" \
	DEPMOD=true > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; fail "make install"; }
quick_depmod
unit=/usr/local/lib/systemd/system/moat.service
[ -f "$unit" ] || fail "make install wrote no $unit"
[ -d /etc/moat ] || fail "make install made no /etc/moat"
for n in moat moat-save moat-restore; do
	[ -x "/usr/local/sbin/$n" ] || fail "/usr/local/sbin/$n missing"
done
[ -e /usr/local/sbin/iptables ] && fail "iptables name installed without IPTABLES_LINKS=1"
expect_eq "$(modinfo -n moat)" "/lib/modules/$kver/updates/moat.ko" "depmod knows the installed moat.ko"

# --- the unit's commands ---------------------------------------------------
mapfile -t execs < <(sed -n 's/^ExecStart=//p' "$unit")
expect_eq "${#execs[@]}" 2 "ExecStart lines in moat.service"
cond=$(sed -n 's/^ConditionPathExists=//p' "$unit")
expect_eq "$cond" /etc/moat/rules.v4 "the unit runs only when rules.v4 exists"

# run_unit: each ExecStart line in the namespace "boot", as systemd would
# (no shell: the words as they are); stops at the first failure, as a
# oneshot service does.
run_unit() {
	local cmd words
	for cmd in "${execs[@]}"; do
		set -f
		# shellcheck disable=SC2206 # split as systemd splits: on blanks
		words=($cmd)
		set +f
		echo "+ ${words[*]}"
		ns boot "${words[@]}" || return
	done
}

mkhost boot
rmmod moat || fail "rmmod of the harness's moat.ko"
cp "$rules" "$cond"
run_unit || fail "the unit's commands failed"
[ -d /sys/module/moat ] || fail "modprobe did not load moat"
ok "the unit's commands loaded the module and restored $rules"

strip() { grep -v -e '^#' -e '^$' "$@"; }
expect_eq "$(ns boot moat-save | strip)" "$(strip "$rules")" "saved ruleset equals rules.v4"
ns boot moat -L INPUT -n > /dev/null || fail "moat -L after the restore"

# A broken file: the restore fails, and the running ruleset stays.
before=$(ns boot moat-save | strip)
sed 's/--dport 22/--dport twenty-two/' "$rules" > "$cond"
expect_fail "the unit fails on a bad rules.v4" run_unit
expect_eq "$(ns boot moat-save | strip)" "$before" "ruleset unchanged after the failed restore"

# Saving for the next boot, as moat-save(8) says, then restoring that.
ns boot sh -c 'moat-save > /etc/moat/rules.v4.new && mv /etc/moat/rules.v4.new /etc/moat/rules.v4'
mkhost boot2
ns boot2 /usr/local/sbin/moat-restore "$cond"
expect_eq "$(ns boot2 moat-save | strip)" "$before" "saved, then restored in a fresh namespace"

# --- iptables names ------------------------------------------------------
make -C "$repo" --no-print-directory install-tool DESTDIR="$tmp/links" IPTABLES_LINKS=1 > /dev/null
for n in iptables iptables-save iptables-restore; do
	expect_eq "$(readlink "$tmp/links/usr/local/sbin/$n")" moat "IPTABLES_LINKS=1 installs $n"
done

# The update-alternatives commands of moat(8), word for word.
update-alternatives --install /usr/sbin/iptables iptables \
	/usr/local/sbin/moat 5 \
	--slave /usr/sbin/iptables-save iptables-save /usr/local/sbin/moat \
	--slave /usr/sbin/iptables-restore iptables-restore \
	/usr/local/sbin/moat > /dev/null
update-alternatives --set iptables /usr/local/sbin/moat > /dev/null
expect_eq "$(/usr/sbin/iptables -V)" "iptables v1.8.9 (moat $(cat VERSION))" "/usr/sbin/iptables is moat"
ns boot /usr/sbin/iptables-save | grep -q '^-A refuse -j DROP$' ||
	fail "/usr/sbin/iptables-save does not show moat's ruleset"
ok "/usr/sbin/iptables-save is moat"
update-alternatives --auto iptables > /dev/null
back=$(readlink -f /usr/sbin/iptables)
[ "$back" != /usr/local/sbin/moat ] || fail "update-alternatives --auto iptables left moat in place"
ok "update-alternatives --auto iptables goes back (to $back)"
