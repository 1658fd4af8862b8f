#!/bin/bash
# Netlink fuzzing: tests/vm/tools/nlfuzz.py first checks one valid request
# of every command and the transaction rules across sockets, then two
# fuzzers, one per CPU, send random and mutated requests to fz's tables
# while a pings fz through them. Afterwards the kernel must be whole:
#   - no warning in dmesg (guest-run checks again, and rmmod, at the end);
#   - the ruleset the fuzzers left is consistent: moat-save works, and
#     what it saves restores into a fresh namespace and saves the same;
#   - the kernel memory the run allocated is all freed once fz is gone:
#     the objects charged to the run's memory cgroup (exact, per object:
#     at most 64 KiB may remain, per-CPU batching and caches that stay
#     warm), and the global unreclaimable slab plus per-CPU memory (pages,
#     noisier: within 1 MiB, where one leaked rule per failed request
#     would leave tens of MiB).
#
#   +-----+ 10.0.1.1          10.0.1.2 +-----+
#   |  a  |------------ veth ----------| fz  |   fz: the fuzzers' tables
#   +-----+                            +-----+
#
# Not in make check yet (x-: run when named, by make fuzz or
# scripts/vm-run nlfuzz): it still finds rules the module takes that the
# tool cannot restore (an iprange match with neither range), fixed on
# the hardening branch, not yet here.
#
# Budget: 60 s of fuzzing. `make fuzz` (or VM_APPEND="moatvm.fuzz_time=N
# moatvm.fuzz_seed=S") asks for longer or replays a seed; the seeds are
# printed.
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need python3 ping
need_moat

fuzz=$MOAT_REPO/tests/vm/tools/nlfuzz.py
opt() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^moatvm.$1=//p"; }
budget=$(opt fuzz_time)
budget=${budget:-60}
seed=$(opt fuzz_seed)
seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
tmp=$(mktemp -d)

dmesg_mark
# A first small run warms the caches a namespace and the module fill on
# first use, so that the baseline below is the level to come back to.
ip netns add warm
ip netns exec warm python3 -B "$fuzz" --seed 1 --count 300 > /dev/null
ip netns delete warm
kmem_before=$(kmem_kb)
cg=$(memcg_new moat-nlfuzz)

# Everything from here to the namespaces' deletion is charged to $cg.
echo $$ > "$cg/cgroup.procs"
mkhost a
mkhost fz
link a fz 10.0.1.1/24 10.0.1.2/24
ns a ping -q -f 10.0.1.2 > /dev/null 2>&1 &
pinger=$!

ns fz python3 -B "$fuzz" --seed "$seed" --smoke-only
pids=()
for i in 0 1; do
	ns fz python3 -B "$fuzz" --no-smoke --seed $((seed + i)) --time "$budget" \
		> "$tmp/fuzz$i" 2>&1 &
	pids+=($!)
done
for i in 0 1; do
	rc=0
	wait "${pids[i]}" || rc=$?
	cat "$tmp/fuzz$i"
	expect_eq "$rc" 0 "fuzzer $i (seed $((seed + i))) ran to its end"
done
kill $pinger
wait $pinger || true
dmesg_clean "after fuzzing"

# --- the ruleset left behind is consistent -------------------------------
ns fz moat --info
ns fz moat-save -c > "$tmp/saved" || fail "moat-save after fuzzing"
ok "moat-save after fuzzing: $(grep -c '^-A' "$tmp/saved" || true) rules in $(grep -c '^\*' "$tmp/saved") tables"
# moat-restore may not take every table yet: round-trip those it takes.
mkhost rt
tables=""
for t in $(sed -n 's/^\*//p' "$tmp/saved"); do
	if printf '*%s\nCOMMIT\n' "$t" | ns rt moat-restore 2> "$tmp/err"; then
		tables="$tables $t"
	else
		echo "moat-restore does not take table $t: $(cat "$tmp/err")"
	fi
done
[ -n "$tables" ] || fail "moat-restore takes none of the saved tables"
for t in $tables; do
	ns fz moat-save -c -t "$t" | grep -v '^#' > "$tmp/$t.saved"
	ns rt moat-restore -c < "$tmp/$t.saved" || fail "moat-restore of fz's $t table"
	expect_eq "$(ns rt moat-save -c -t "$t" | grep -v '^#')" "$(cat "$tmp/$t.saved")" \
		"table $t round-trips through moat-save | moat-restore"
done

# --- everything freed with the namespaces --------------------------------
for n in a fz rt; do
	ip netns delete $n
done
_lib_hosts=()
echo $$ > /sys/fs/cgroup/cgroup.procs
left=$(memcg_kb "$cg")
echo "kernel memory still charged to the run: $left KiB"
[ "$left" -le 64 ] || { cat "$cg/memory.stat"; fail "$left KiB of kernel memory still charged to the fuzzing run"; }
ok "the run's kernel objects are freed (within 64 KiB)"
rmdir "$cg"
kmem_after=$(kmem_kb)
echo "unreclaimable slab + per-CPU: $kmem_before KiB before, $kmem_after KiB after"
[ $((kmem_after - kmem_before)) -le 1024 ] ||
	fail "kernel memory grew by $((kmem_after - kmem_before)) KiB over the fuzzing"
ok "global unreclaimable slab back to its level (within 1 MiB)"
dmesg_clean "after the namespaces went"
