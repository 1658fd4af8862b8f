#!/bin/bash
# Netlink fuzzing: tests/vm/tools/nlfuzz.py first checks one valid request
# of every command and the transaction rules across sockets, then two
# fuzzers, one per CPU, send random and mutated requests to fz's tables
# while a pings fz through them. Afterwards the kernel must be whole:
#   - no warning in dmesg (guest-run checks again, and rmmod, at the end);
#   - while it ran, the kernel memory charged to it stayed under 64 MiB
#     (the caps bound it) and its processes' under 256 MiB;
#   - the ruleset the fuzzers left is consistent: moat-save works, and
#     what it saves restores into a fresh namespace and saves the same;
#   - the per-namespace caps (fuzzed low: 5000 rules, 4 MiB) still count
#     right: once fz is flushed it takes exactly as many rules as a fresh
#     namespace;
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

params=/sys/module/moat/parameters
[ -w $params/max_rules ] && [ -w $params/max_rule_mem ] || fail "limit parameters missing"
caps="$(cat $params/max_rules) $(cat $params/max_rule_mem)"
trap 'rc=$?; read -r r m <<< "$caps"; echo "$r" > $params/max_rules;
	echo "$m" > $params/max_rule_mem; (exit $rc); _lib_cleanup' EXIT
# set_caps RULES BYTES
set_caps() {
	echo "$1" > $params/max_rules
	echo "$2" > $params/max_rule_mem
}

# fits NS: how many rules NS takes before a cap refuses one (at most 100).
fits() {
	local i=0
	while [ $i -lt 100 ] && ns "$1" moat -A INPUT -s "10.9.0.$((i + 1))" -j DROP 2> /dev/null; do
		i=$((i + 1))
	done
	ns "$1" moat -F INPUT
	echo $i
}

dmesg_mark
# A first small run warms the caches a namespace and the module fill on
# first use, so that the baseline below is the level to come back to.
ip netns add warm
ip netns exec warm python3 -B "$fuzz" --seed 1 --count 300 > /dev/null
ip netns delete warm
kmem_before=$(kmem_kb)
echo "[$SECONDS s] baseline taken"
cg=$(memcg_new moat-nlfuzz)

# Everything from here to the namespaces' deletion is charged to $cg.
memcg_enter "$cg"
mkhost a
mkhost fz
link a fz 10.0.1.1/24 10.0.1.2/24
# Not through ns(): $! must be ping itself, which ip netns exec becomes.
ip netns exec a ping -q -f 10.0.1.2 > /dev/null 2>&1 &
pinger=$!

set_caps 5000 $((4 << 20))
# The run's memory, sampled every second: the kernel memory charged to
# it (KiB; slab, vmalloc, per-CPU, stacks, page tables) first, which the
# caps bound (staged and live rules, a few open transactions, namespaces
# and sockets), so that a way to grow past the caps shows here however
# much memory the VM has; then its processes' memory and the VM's, the
# first place to look when the OOM killer ends a run.
sampler=
if [ -n "$cg" ]; then
	while sleep 1; do
		awk -v t=$SECONDS '$1 == "kernel" || $1 == "anon" || $1 == "vmalloc" || $1 == "sock" ||
			$1 == "slab_unreclaimable" || $1 == "percpu" { v[$1] = int($2 / 1024) }
			FILENAME == "/proc/meminfo" && $1 ~ /^(MemAvailable|SUnreclaim|VmallocUsed|Percpu):$/ {
				m = m " " $1 $2 }
			END { printf "%d anon=%d slab=%d vmalloc=%d percpu=%d sock=%d |%s\n", v["kernel"],
				v["anon"], v["slab_unreclaimable"], v["vmalloc"], v["percpu"], v["sock"], m " at " t " s" }' \
			"$cg/memory.stat" /proc/meminfo
	done > "$tmp/mem" &
	sampler=$!
fi
ns fz python3 -B "$fuzz" --seed "$seed" --smoke-only
pids=()
for i in 0 1; do
	ns fz python3 -B "$fuzz" --no-smoke --leave --seed $((seed + i)) --time "$budget" \
		> "$tmp/fuzz$i" 2>&1 &
	pids+=($!)
done
for i in 0 1; do
	rc=0
	wait "${pids[i]}" || rc=$?
	cat "$tmp/fuzz$i"
	[ "$rc" = 0 ] || [ -z "$sampler" ] || { echo "the run's memory, its last seconds:"; tail -n 5 "$tmp/mem"; }
	expect_eq "$rc" 0 "fuzzer $i (seed $((seed + i))) ran to its end"
done
kill $pinger
wait $pinger || true
if [ -n "$sampler" ]; then
	kill "$sampler"
	wait "$sampler" || true
	echo "the run's memory, at its kernel peak: $(sort -n "$tmp/mem" | tail -n 1) ($(wc -l < "$tmp/mem") samples)"
	echo "the run's memory, at the VM's lowest: $(sed 's/.*MemAvailable:\([0-9]*\).*/\1 &/' "$tmp/mem" | sort -n | head -n 1 | cut -d' ' -f2-)"
	peak=$(sort -n "$tmp/mem" | tail -n 1 | cut -d' ' -f1)
	[ "${peak:-0}" -le $((64 << 10)) ] || fail "the run's kernel memory reached $peak KiB, past what the caps allow"
	ok "the run's kernel memory stayed under 64 MiB"
	# The fuzzers' own: some 20 MiB each; a message built up from shared
	# nests once took one past the VM's memory.
	anon=$(sed 's/.* anon=\([0-9]*\).*/\1/' "$tmp/mem" | sort -n | tail -n 1)
	[ "${anon:-0}" -le $((256 << 10)) ] || fail "the run's processes reached $anon KiB"
	ok "the run's processes stayed under 256 MiB (at most $anon KiB)"
fi
dmesg_clean "after fuzzing"
echo "[$SECONDS s] fuzzing done"

# --- the ruleset left behind is consistent -------------------------------
# The fuzzers end with rules the module took in every table (--leave):
# the tool must save them all, and what it saves must restore into a
# fresh namespace and save the same.
ns fz moat --info
ns fz moat-save -c > "$tmp/saved" || fail "moat-save after fuzzing"
ok "moat-save after fuzzing: $(awk '/^(\[[0-9:]*\] )?-A/ { r++ } /^\*/ { t++ } END { printf "%d rules in %d tables", r, t }' "$tmp/saved")"
grep -v '^#' "$tmp/saved" > "$tmp/saved.rules"
mkhost rt
if ! ns rt moat-restore -c < "$tmp/saved.rules" 2> "$tmp/err"; then
	cat "$tmp/err"
	line=$(grep -o 'line:\{0,1\} [0-9]*' "$tmp/err" | head -n 1 | tr -dc 0-9)
	[ -n "$line" ] && echo "line $line: $(sed -n "${line}p" "$tmp/saved.rules")"
	fail "moat-restore refuses what moat-save saved after fuzzing"
fi
# Table by table: moat-save lists the newest table first, as
# iptables-save does, and the restore made them in the opposite order.
for n in fz rt; do
	for t in filter nat mangle raw; do
		ns $n moat-save -c -t $t | grep -v '^#'
	done > "$tmp/$n.tables"
done
diff -u "$tmp/fz.tables" "$tmp/rt.tables" ||
	fail "moat-save | moat-restore changed the ruleset (diff above)"
ok "the ruleset round-trips through moat-save | moat-restore"
echo "[$SECONDS s] round trip done"
# --- the caps count right after all that --------------------------------
for t in $(sed -n 's/^\*//p' "$tmp/saved"); do
	ns fz moat -t "$t" -F
	ns fz moat -t "$t" -X
done
mkhost fresh
set_caps 0 3000
expect_eq "$(fits fz)" "$(fits fresh)" "under max_rule_mem, fz takes as many rules as a fresh namespace"
set_caps 7 0
expect_eq "$(fits fz)" 7 "under max_rules=7, fz takes 7 rules"
read -r r m <<< "$caps"
set_caps "$r" "$m"

echo "[$SECONDS s] caps done"
# --- everything freed with the namespaces --------------------------------
for n in a fz rt fresh; do
	ip netns delete $n
done
_lib_hosts=()
memcg_leave "$cg"
[ -z "$cg" ] || expect_eq "$(cat "$cg/cgroup.procs")" "" "no process of the run is left"
kmem_returned "$cg" "$kmem_before" "the fuzzing run"
dmesg_clean "after the namespaces went"
