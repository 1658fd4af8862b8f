#!/usr/bin/python3
"""moat's benchmark, run inside the test VM (make bench): the same rule
lists through moat, iptables-legacy, nft (one rule per line) and nft with
sets, side by side, at N = 0, 1, 100, 1000, 10000, 100000 non-matching
rules ahead of the accepting one.

Measures packets per second through INPUT and FORWARD (64-byte UDP from
pktgen), the time of one add and one delete at N, of a restore and a save
of N, the tool's process floor, and kernel memory per rule.  Prints a
table with ratios against no firewall and against iptables-legacy, and
writes it as markdown to the file named by the first argument.

  +-----+ 10.0.1.2   10.0.1.1 +----+ 10.0.2.1   10.0.2.2 +------+
  | gen |------- veth --------| fw |------- veth --------| sink |
  +-----+  pktgen             +----+  rules here         +------+

An emulated machine's speed drifts by tens of percent from one second to
the next (other work on the host), far more than the cost being measured.
So make bench runs the guest with qemu's -icount: its clock advances by
the instructions it executes (8 ns each), and a second of pktgen is a
fixed budget of instructions, whatever the host is doing; packets per
second then measure what a packet costs.  Times (updates, restores) are
in that clock too.  What is left (interrupts, timers) is kept apart by a
second, identical topology without a firewall (b-gen, b-fw, b-sink) that
stays up for the whole run: every throughput point alternates pktgen runs
through the two: baseline, firewall, baseline, ... (BENCH_REPEAT firewall
runs), and reports the medians.  "vs none" is the ratio to that point's
own baseline, "vs legacy" the ratio of the two firewalls' ratios.
"""
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "0 1 100 1000 10000 100000").split()]
PPS_SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
FIREWALLS = os.environ.get("BENCH_FIREWALLS", "moat legacy nft nft-set").split()
MEM_RULES = int(os.environ.get("BENCH_MEM_RULES", "100000"))


def sh(cmd, check=True, inp=None):
    r = subprocess.run(cmd, shell=True, input=inp, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError(f"{cmd}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def timed(cmd, inp=None):
    t = time.perf_counter()
    sh(cmd, inp=inp)
    return time.perf_counter() - t


# --- the rule lists: a realistic mix of rules that never match -------------

def mix(n):
    """n (kind, value) pairs: source /32s, destination ports, interfaces,
    protocols, in turn; none matches the UDP from 10.0.1.2 to port 9."""
    protos = ["icmp", "tcp", "gre", "esp", "ah", "sctp"]
    out = []
    for i in range(n):
        k = i % 4
        if k == 0:
            out.append(("src", f"10.{100 + i // 65536 % 100}.{i // 256 % 256}.{i % 256}"))
        elif k == 1:
            out.append(("dport", str(10000 + i % 50000)))
        elif k == 2:
            out.append(("iif", f"dum{i}"))
        else:
            out.append(("proto", protos[i // 4 % len(protos)]))
    return out


def iptables_rules(n, chain):
    lines = ["*filter", f":{chain} ACCEPT [0:0]"]
    for kind, v in mix(n):
        if kind == "src":
            lines.append(f"-A {chain} -s {v}/32 -j DROP")
        elif kind == "dport":
            lines.append(f"-A {chain} -p udp -m udp --dport {v} -j DROP")
        elif kind == "iif":
            lines.append(f"-A {chain} -i {v} -j DROP")
        else:
            lines.append(f"-A {chain} -p {v} -j DROP")
    if n:
        lines.append(f"-A {chain} -p udp -m udp --dport 9 -j ACCEPT")
    lines.append("COMMIT")
    return "\n".join(lines) + "\n"


def nft_rules(n, hook, sets):
    head = [f"table ip bench {{", f" chain c {{ type filter hook {hook} priority 0; policy accept;"]
    body = []
    m = mix(n)
    if sets:
        by = {}
        for kind, v in m:
            by.setdefault(kind, []).append(v)
        if "src" in by:
            body.append(" ip saddr { " + ", ".join(by["src"]) + " } drop")
        if "dport" in by:
            body.append(" udp dport { " + ", ".join(sorted(set(by["dport"]), key=int)) + " } drop")
        if "iif" in by:
            body.append(" iifname { " + ", ".join(f'"{v}"' for v in by["iif"]) + " } drop")
        if "proto" in by:
            body.append(" ip protocol { " + ", ".join(sorted(set(by["proto"]))) + " } drop")
    else:
        for kind, v in m:
            body.append({"src": f" ip saddr {v} drop",
                         "dport": f" udp dport {v} drop",
                         "iif": f' iifname "{v}" drop',
                         "proto": f" ip protocol {v} drop"}[kind])
    if n:
        body.append(" udp dport 9 accept")
    return "\n".join(head + body + [" }", "}"]) + "\n"


# --- the hosts ---------------------------------------------------------------

def ns(name, cmd, check=True, inp=None):
    return sh(f"ip netns exec {name} {cmd}", check, inp)


def topology(p=""):
    """Builds @p-gen, @p-fw, @p-sink; returns the MAC gen sends to."""
    gen, fw, sink = p + "gen", p + "fw", p + "sink"
    for n in (gen, fw, sink):
        sh(f"ip netns del {n}", check=False)
        sh(f"ip netns add {n}")
        sh(f"ip -n {n} link set lo up")
    sh(f"ip -n {gen} link add to-fw type veth peer name to-gen netns {fw}")
    sh(f"ip -n {fw} link add to-sink type veth peer name to-fw netns {sink}")
    for n, dev, addr in ((gen, "to-fw", "10.0.1.2/24"), (fw, "to-gen", "10.0.1.1/24"),
                         (fw, "to-sink", "10.0.2.1/24"), (sink, "to-fw", "10.0.2.2/24")):
        sh(f"ip -n {n} addr add {addr} dev {dev}")
        sh(f"ip -n {n} link set {dev} up")
    sh(f"ip -n {gen} route add default via 10.0.1.1")
    sh(f"ip -n {sink} route add default via 10.0.2.1")
    ns(fw, "sysctl -qw net.ipv4.ip_forward=1")
    # Static neighbours: no ARP in the measurement.
    mac = lambda n, d: re.search(r"link/ether (\S+)", sh(f"ip -n {n} link show {d}")).group(1)
    sh(f"ip -n {gen} neigh replace 10.0.1.1 lladdr {mac(fw, 'to-gen')} dev to-fw")
    sh(f"ip -n {fw} neigh replace 10.0.2.2 lladdr {mac(sink, 'to-fw')} dev to-sink")
    sh(f"ip -n {fw} neigh replace 10.0.1.2 lladdr {mac(gen, 'to-fw')} dev to-gen")
    # Sockets that never read: delivery ends in a full receive queue.
    for n in (fw, sink):
        subprocess.Popen(["ip", "netns", "exec", n, "python3", "-c",
                          "import socket, time\n"
                          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                          "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)\n"
                          "s.bind(('0.0.0.0', 9))\ntime.sleep(1e6)"])
    return mac(fw, "to-gen")


def teardown(p=""):
    for n in (p + "gen", p + "fw", p + "sink"):
        pids = sh(f"ip netns pids {n}", check=False).split()
        if pids:
            sh("kill -9 " + " ".join(pids), check=False)
        sh(f"ip netns del {n}", check=False)


def pktgen_pps(dst, fw_mac, gen="gen"):
    """Packets per second @gen's pktgen pushes through its fw to @dst."""
    def pg(path, cmd):
        ns(gen, f"sh -c 'echo \"{cmd}\" > /proc/net/pktgen/{path}'")
    pg("kpktgend_0", "rem_device_all")
    pg("kpktgend_0", "add_device to-fw")
    for c in ("count 0", "pkt_size 64", "delay 0", f"dst {dst}", f"dst_mac {fw_mac}",
              "src_min 10.0.1.2", "src_max 10.0.1.2", "udp_src_min 4000", "udp_src_max 4000",
              "udp_dst_min 9", "udp_dst_max 9", "burst 1"):
        pg("to-fw", c)
    run = subprocess.Popen(["ip", "netns", "exec", gen, "sh", "-c",
                            "echo start > /proc/net/pktgen/pgctrl"])
    time.sleep(PPS_SECONDS)
    ns(gen, "sh -c 'echo stop > /proc/net/pktgen/pgctrl'")
    run.wait()
    res = ns(gen, "cat /proc/net/pktgen/to-fw")
    m = re.search(r"(\d+)pps", res)
    if not m:
        raise RuntimeError("no pktgen result:\n" + res)
    return int(m.group(1))


# --- the firewalls -----------------------------------------------------------

class Firewall:
    def __init__(self, kind):
        self.kind = kind

    def load(self, n, chain):
        """Loads n rules in chain; returns the seconds the load took."""
        if self.kind in ("moat", "legacy"):
            tool = "moat-restore" if self.kind == "moat" else "iptables-legacy-restore"
            return timed(f"ip netns exec fw {tool}", iptables_rules(n, chain))
        hook = {"INPUT": "input", "FORWARD": "forward"}[chain]
        with tempfile.NamedTemporaryFile("w", suffix=".nft", delete=False) as f:
            f.write(nft_rules(n, hook, self.kind == "nft-set"))
        try:
            return timed(f"ip netns exec fw nft -f {f.name}")
        finally:
            os.unlink(f.name)

    def clear(self):
        if self.kind == "moat":
            ns("fw", "moat -F")
        elif self.kind == "legacy":
            ns("fw", "iptables-legacy -F")
        elif self.kind.startswith("nft"):
            ns("fw", "nft flush ruleset")

    def save(self):
        cmd = {"moat": "moat-save", "legacy": "iptables-legacy-save",
               "nft": "nft list ruleset", "nft-set": "nft list ruleset"}[self.kind]
        return timed(f"ip netns exec fw {cmd} > /dev/null")

    def add_delete(self):
        """The best of REPEAT adds and deletes, as the floor is a best."""
        pairs = [self.add_delete_once() for _ in range(REPEAT)]
        return min(a for a, _ in pairs), min(d for _, d in pairs)

    def add_delete_once(self):
        if self.kind in ("moat", "legacy"):
            tool = "moat" if self.kind == "moat" else "iptables-legacy"
            a = timed(f"ip netns exec fw {tool} -A INPUT -s 10.7.7.7 -j DROP")
            d = timed(f"ip netns exec fw {tool} -D INPUT -s 10.7.7.7 -j DROP")
            return a, d
        t = time.perf_counter()
        out = ns("fw", "nft --echo --handle add rule ip bench c ip saddr 10.7.7.7 drop")
        a = time.perf_counter() - t
        handle = re.search(r"# handle (\d+)", out).group(1)
        d = timed(f"ip netns exec fw nft delete rule ip bench c handle {handle}")
        return a, d


def mem_kb():
    info = dict(re.findall(r"^(\w+):\s+(\d+)", open("/proc/meminfo").read(), re.M))
    return sum(int(info.get(k, 0)) for k in ("Slab", "Percpu", "VmallocUsed"))


def mem_per_rule(kind, n):
    """Bytes of kernel memory one rule costs, from N of them loaded."""
    teardown()
    topology()
    fw = Firewall(kind)
    sh("sync; echo 3 > /proc/sys/vm/drop_caches")
    before = mem_kb()
    fw.load(n, "INPUT")
    settle()  # moat indexes the chain in a work item
    after = mem_kb()
    fw.clear()
    return (after - before) * 1024 / n


def floor():
    """The best of 10 `moat -V`, started as the updates are, in a
    namespace: what any command costs before it says a word to the
    kernel."""
    sh("ip netns add floor")
    try:
        return min(timed("ip netns exec floor moat -V > /dev/null") for _ in range(10))
    finally:
        sh("ip netns del floor")


def cpu_idle_share(seconds):
    """The share of CPU time the guest spent idle over @seconds."""
    def sample():
        f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return f[3] + f[4], sum(f)  # idle + iowait, all
    i0, t0 = sample()
    time.sleep(seconds)
    i1, t1 = sample()
    return (i1 - i0) / max(t1 - t0, 1)


def settle():
    """Waits (at most 30 s) until the guest is quiet: background work
    after a change (moat's index build and the freeing of a replaced
    list, in work items) would otherwise compete with the packets."""
    for _ in range(60):
        if cpu_idle_share(0.5) > 0.95:
            return


def throughput(dst, mac, base_mac):
    """Medians of @dst's pps through the firewall and through the
    baseline, their runs alternating, starting and ending with the
    baseline."""
    fw, base = [], [pktgen_pps(dst, base_mac, "b-gen")]
    for _ in range(REPEAT):
        fw.append(pktgen_pps(dst, mac))
        base.append(pktgen_pps(dst, base_mac, "b-gen"))
    return statistics.median(fw), statistics.median(base)


def measure(base_mac):
    rows = {}
    for kind in FIREWALLS:
        fw = Firewall(kind)
        for n in SIZES:
            teardown()
            mac = topology()
            r = {}
            r["restore"] = fw.load(n, "INPUT")
            r["save"] = fw.save()
            settle()
            r["add"], r["del"] = fw.add_delete()
            settle()
            r["in"], r["in0"] = throughput("10.0.1.1", mac, base_mac)
            fw.clear()
            fw.load(n, "FORWARD")
            settle()
            r["fwd"], r["fwd0"] = throughput("10.0.2.2", mac, base_mac)
            rows[(kind, n)] = r
            print(f"{kind:8} N={n:<6} " + " ".join(f"{k}={v:.4g}" for k, v in r.items()),
                  flush=True)
    teardown()
    return rows


def ratio(a, b):
    return f"{a / b:.2f}x" if a is not None and b else "-"


def table(rows, fl, mem):
    out = []
    out.append(f"Kernel {platform.release()} under qemu TCG with -icount (one CPU), "
               f"{time.strftime('%Y-%m-%d')}; per point, {REPEAT} pktgen runs of "
               f"{PPS_SECONDS:g} s through the firewall alternating with {REPEAT + 1} "
               "through an identical topology without one (the baseline); medians.\n")
    out.append("## Packets per second (64-byte UDP), ratio to no firewall and to iptables-legacy\n")
    out.append("| N | firewall | INPUT pps | baseline | vs none | vs legacy "
               "| FORWARD pps | baseline | vs none | vs legacy |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for n in SIZES:
        leg = rows.get(("legacy", n))
        for kind in FIREWALLS:
            r = rows.get((kind, n))
            if not r:
                continue
            cells = []
            for path in ("in", "fwd"):
                v = r[path] / r[path + "0"]
                lv = leg and leg[path] / leg[path + "0"]
                cells.append(f"{r[path]:.0f} | {r[path + '0']:.0f} | {v:.2f}x | {ratio(v, lv)}")
            out.append(f"| {n} | {kind} | " + " | ".join(cells) + " |")
    out.append("\n## Updates (seconds), ratio to iptables-legacy\n")
    out.append(f"Process floor (`ip netns exec fw moat -V`, best of 10): {fl * 1000:.2f} ms; "
               f"add and delete: best of {REPEAT}.\n")
    out.append("| N | firewall | add one | delete one | add vs floor | del vs floor "
               "| restore N | vs legacy | save N | vs legacy |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for n in SIZES:
        leg = rows.get(("legacy", n))
        for kind in FIREWALLS:
            r = rows.get((kind, n))
            if not r:
                continue
            out.append(f"| {n} | {kind} | {r['add']:.4f} | {r['del']:.4f} | {ratio(r['add'], fl)} | "
                       f"{ratio(r['del'], fl)} | "
                       f"{r['restore']:.3f} | {ratio(r['restore'], leg and leg['restore'])} | "
                       f"{r['save']:.3f} | {ratio(r['save'], leg and leg['save'])} |")
    out.append(f"\n## Kernel memory per rule ({MEM_RULES} rules; Slab + Percpu + VmallocUsed)\n")
    out.append("| firewall | bytes per rule |")
    out.append("|---|---|")
    for kind, b in mem.items():
        out.append(f"| {kind} | {b:.0f} |")
    out.append("\n## Goals\n")
    out.extend(goals(rows, fl, mem))
    return "\n".join(out) + "\n"


def goals(rows, fl, mem):
    big = max(SIZES)
    res = []

    def goal(name, got, want, ok):
        res.append(f"- {'met' if ok else 'MISSED'}: {name}: {got} (goal {want})")

    for n, want in ((1, 0.98), (10000, 0.90), (100000, 0.80)):
        r = rows.get(("moat", n))
        if r:
            for path in ("in", "fwd"):
                v = r[path] / r[path + "0"]
                goal(f"throughput {path.upper()} at {n} rules", f"{v:.2f}x", f">= {want}x", v >= want)
    r, leg = rows.get(("moat", big)), rows.get(("legacy", big))
    if r and leg:
        for op in ("add", "del"):
            v = r[op] / fl
            goal(f"one {op} at {big} rules vs floor", f"{v:.2f}x", "<= 1.3x", v <= 1.3)
        v = r["restore"] / leg["restore"]
        goal(f"restore of {big} vs legacy", f"{v:.2f}x", "<= 0.25x", v <= 0.25)
        v = r["save"] / leg["save"]
        goal(f"save of {big} vs legacy", f"{v:.2f}x", "<= 0.5x", v <= 0.5)
    r = rows.get(("nft", 0))
    if r:
        # The least any firewall on the hook costs: an empty nft chain.
        res.append("- for reference, what a hook alone costs: an empty nft base chain, "
                   f"IN {r['in'] / r['in0']:.2f}x, FWD {r['fwd'] / r['fwd0']:.2f}x of no firewall")
    if "moat" in mem and "legacy" in mem:
        goal("memory per rule", f"{mem['moat']:.0f} B vs {mem['legacy']:.0f} B",
             "<= legacy's", mem["moat"] <= mem["legacy"])
    return res


def main():
    sh("modprobe pktgen")
    base_mac = topology("b-")
    rows = measure(base_mac)
    teardown("b-")
    fl = floor()
    mem = {k: mem_per_rule(k, MEM_RULES) for k in ("moat", "legacy") if k in FIREWALLS}
    teardown()
    text = table(rows, fl, mem)
    print(text)
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as f:
            f.write("# moat benchmarks\n\nWritten by `make bench` (tests/bench/bench.py); "
                    "ratios matter, not absolute numbers: the VM is emulated (TCG).\n\n" + text)


if __name__ == "__main__":
    main()
