# Helpers for tests/vm/t-*.sh, sourced first thing:
#
#   . "$(dirname "$0")/lib.sh"
#
# A test runs inside the VM (scripts/vm-run) as root with moat.ko loaded and
# build/bin on PATH. It exits 0 for pass, 77 for skip, anything else for
# fail, and builds its hosts from network namespaces it creates with mkhost;
# they are deleted, with every process in them, when the test exits.
# Addresses: 10.0.N.0/24 and fd00:N::/64 between namespaces, nothing else.

set -eEu
trap 'echo "FAIL: ${BASH_SOURCE[0]##*/}:$LINENO: \"$BASH_COMMAND\" exited $?" >&2' ERR

_lib_hosts=()

_lib_cleanup() {
	local rc=$? i n pids
	set +eE
	trap - ERR
	for ((i = ${#_lib_hosts[@]} - 1; i >= 0; i--)); do
		n=${_lib_hosts[i]}
		pids=$(ip netns pids "$n" 2>/dev/null)
		# shellcheck disable=SC2086 # one word per pid
		[ -n "$pids" ] && kill -9 $pids 2>/dev/null
		ip netns delete "$n" 2>/dev/null
	done
	exit $rc
}
trap _lib_cleanup EXIT

# fail MSG: the test fails with MSG.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# skip MSG: the test can't run here (exit 77).
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# ok MSG: note a passed check in the log.
ok() {
	echo "ok: $*"
}

# expect_eq GOT WANT MSG: exact comparison.
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
	ok "$3"
}

# expect_fail MSG CMD...: CMD must exit non-zero (a stated negative case).
expect_fail() {
	local msg=$1
	shift
	if "$@"; then
		fail "$msg: '$*' succeeded, should have failed"
	fi
	ok "$msg"
}

# need CMD...: skip unless every CMD is installed.
need() {
	local c
	for c; do
		command -v "$c" > /dev/null || skip "$c not installed"
	done
}

# need_moat: the module must be loaded (guest-run does that).
need_moat() {
	[ -d /sys/module/moat ] || fail "moat.ko not loaded (/sys/module/moat missing)"
}

# moat_load: insmod $MOAT_KO (the module under test) after the modules it
# needs, which insmod does not load.
moat_load() {
	local dep
	for dep in $(modinfo -F depends "$MOAT_KO" | tr , ' '); do
		modprobe "$dep"
	done
	insmod "$MOAT_KO"
}

# ns NAME CMD...: run CMD in network namespace NAME.
ns() {
	local n=$1
	shift
	ip netns exec "$n" "$@"
}

# mkhost NAME: a new network namespace with lo up, deleted at exit.
mkhost() {
	ip netns add "$1"
	_lib_hosts+=("$1")
	ip -n "$1" link set lo up
}

# link A B ADDR_A/PREFIX ADDR_B/PREFIX: a veth pair between hosts A and B,
# up, with the given addresses. In A the device is called to-B, in B to-A.
link() {
	local a=$1 b=$2 addr_a=$3 addr_b=$4 nodad=
	if [ ${#a} -gt 12 ] || [ ${#b} -gt 12 ]; then
		fail "link $a $b: host names longer than 12 (device names are to-NAME)"
	fi
	ip -n "$a" link add "to-$b" type veth peer name "to-$a" netns "$b"
	case $addr_a$addr_b in *:*) nodad=nodad ;; esac
	ip -n "$a" addr add "$addr_a" dev "to-$b" $nodad
	ip -n "$b" addr add "$addr_b" dev "to-$a" $nodad
	ip -n "$a" link set "to-$b" up
	ip -n "$b" link set "to-$a" up
}

# wait_for CMD...: poll CMD until it succeeds, for up to WAIT_TIMEOUT
# (default 5) seconds; returns 1, saying so, if it never does.
wait_for() {
	local tries=$(( ${WAIT_TIMEOUT:-5} * 20 ))
	while ! "$@" > /dev/null 2>&1; do
		tries=$((tries - 1))
		if [ $tries -le 0 ]; then
			echo "timed out after ${WAIT_TIMEOUT:-5} s waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

# listening NS PORT [tcp|udp]: something in NS listens on PORT.
listening() {
	local flag=-lt
	[ "${3:-tcp}" = udp ] && flag=-lu
	[ -n "$(ns "$1" ss -Hn $flag "sport = :$2")" ]
}

# --- kernel memory, for leak checks without kmemleak ----------------------

# kmem_settle: free what the kernel can: page cache, dentries and inodes,
# empty slabs and per-CPU partial slabs of every cache; then wait for
# freeing deferred to RCU and workqueues (a deleted namespace's cleanup).
kmem_settle() {
	local f
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do
		echo 1 > "$f" 2> /dev/null
	done
	sleep 1
}

# kmem_kb: unreclaimable slab plus per-CPU memory in KiB (/proc/meminfo's
# SUnreclaim + Percpu), settled until two readings agree within 32 KiB.
kmem_kb() {
	local prev=-999999 cur i
	for i in 1 2 3 4 5 6 7 8; do
		kmem_settle
		cur=$(awk '/^(SUnreclaim|Percpu):/ { s += $2 } END { print s }' /proc/meminfo)
		[ $((prev - cur)) -lt 32 ] && [ $((cur - prev)) -lt 32 ] && break
		prev=$cur
	done
	echo "$cur"
}

# leaks_by_kmemleak: true on the debug lane's kernel, where kmemleak finds
# leaks object by object after rmmod (guest-run), KASAN's quarantine keeps
# freed objects counted a while, and there are no memory cgroups: there
# the memory-level checks below are left to kmemleak.
leaks_by_kmemleak() {
	[ -e /sys/kernel/debug/kmemleak ]
}

# memcg_new NAME: a fresh memory cgroup; prints its directory (nothing
# where leaks_by_kmemleak). cgroup2 is mounted on /sys/fs/cgroup if it is
# not there yet.
memcg_new() {
	local root=/sys/fs/cgroup
	leaks_by_kmemleak && return 0
	mountpoint -q $root || mount -t cgroup2 none $root
	grep -qw memory $root/cgroup.subtree_control ||
		echo +memory > $root/cgroup.subtree_control
	[ -d "$root/$1" ] && rmdir "$root/$1"
	mkdir "$root/$1"
	echo "$root/$1"
}

# memcg_enter CG, memcg_leave CG: this shell into memory cgroup CG, and
# back to the root one; nothing for no CG (memcg_new's, where
# leaks_by_kmemleak).
memcg_enter() {
	[ -z "$1" ] || echo $$ > "$1/cgroup.procs"
}

memcg_leave() {
	[ -z "$1" ] || echo $$ > /sys/fs/cgroup/cgroup.procs
}

# memcg_kb DIR: the kernel objects still charged to cgroup DIR, in KiB:
# memory.stat's slab_unreclaimable + percpu, settled as kmem_kb does.
# Charges are by object, so unlike the global count this one is exact up
# to a few pages of per-CPU batching.
memcg_kb() {
	local prev=-999999 cur i
	for i in 1 2 3 4 5 6 7 8; do
		kmem_settle
		cur=$(awk '$1 == "slab_unreclaimable" || $1 == "percpu" { s += $2 }
			END { print int(s / 1024) }' "$1/memory.stat")
		[ $((prev - cur)) -lt 8 ] && [ $((cur - prev)) -lt 8 ] && break
		prev=$cur
	done
	echo "$cur"
}

# kmem_returned CG BEFORE WHAT: checks that WHAT, run in memory cgroup CG
# and gone now, gave its kernel memory back: the objects charged to CG
# within 64 KiB (per-CPU batching, caches that stay warm), and the global
# unreclaimable slab plus per-CPU memory, BEFORE KiB (kmem_kb) when WHAT
# began, within 1 MiB. Takes this shell out of CG, and removes CG.
kmem_returned() {
	local cg=$1 before=$2 what=$3 left after
	if [ -z "$cg" ]; then
		ok "$what: its memory is left to kmemleak's check after rmmod"
		return 0
	fi
	memcg_leave "$cg"
	left=$(memcg_kb "$cg")
	echo "kernel memory still charged to $what: $left KiB"
	[ "$left" -le 64 ] || { cat "$cg/memory.stat"; fail "$left KiB of kernel memory still charged to $what"; }
	ok "$what: its kernel objects are freed (within 64 KiB)"
	rmdir "$cg"
	after=$(kmem_kb)
	echo "unreclaimable slab + per-CPU: $before KiB before $what, $after KiB after"
	[ $((after - before)) -le 1024 ] ||
		fail "kernel memory grew by $((after - before)) KiB over $what"
	ok "$what: global unreclaimable slab and per-CPU memory back to their level (within 1 MiB)"
}

# dmesg_mark: remember where the kernel log is; dmesg_clean MSG then fails
# the test on any warning logged since.
dmesg_mark() {
	_lib_dmesg_lines=$(dmesg | wc -l)
}
dmesg_clean() {
	local bad
	bad=$(dmesg | tail -n +$((_lib_dmesg_lines + 1)) |
		grep -Ei 'WARNING|BUG|Oops|Call Trace|general protection|refcount|leak|KASAN|UBSAN' || true)
	[ -z "$bad" ] || fail "$1: kernel log: $bad"
	ok "$1: no kernel warning"
}
