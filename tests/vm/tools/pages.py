#!/usr/bin/python3
"""pages.py: a chain's rule list through every kind of edit, against a model.

  pages.py NETNS PROBE_PORT SEED

The kernel keeps a chain's rules in pages of 445 pointers, shared between
versions and copied on write; an insertion splits a full page, a deletion
drops an emptied one and joins two sparse neighbours, -D by rule skips
pages by a bloom filter.  This drives a chain of INPUT through thousands
of edits (single commands and moat-restore --noflush transactions that
change one page many times) and checks after every round that `moat -S`
lists exactly the model's rules, in order.  Duplicate rules make -D by
rule's first-match visible.  One rule, the probe, matches UDP to
PROBE_PORT; the caller sends such packets and checks its counter.

Prints the probe's 1-based position as the last line.  Exit status: 0 the
list always matched the model, 1 it did not.
"""
import random
import subprocess
import sys

NETNS, PORT, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
PROBE = f"-p udp -m udp --dport {PORT} -j DROP"
DUPS = ["-s 10.60.0.1/32 -j DROP", "-s 10.60.0.2/32 -j ACCEPT"]
rng = random.Random(SEED)
serial = 0


def fresh():
    """A rule no other has, that no packet of the test matches."""
    global serial
    serial += 1
    return f"-s 10.50.{serial // 250}.{serial % 250 + 1}/32 -j DROP"


def some_rule():
    return rng.choice(DUPS) if rng.random() < 0.1 else fresh()


def moat(*args, inp=None):
    r = subprocess.run(["ip", "netns", "exec", NETNS, "moat", *args],
                       input=inp, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"moat {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def restore(lines):
    r = subprocess.run(["ip", "netns", "exec", NETNS, "moat-restore", "--noflush"],
                       input="*filter\n" + "".join(x + "\n" for x in lines) + "COMMIT\n",
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"moat-restore: exit {r.returncode}: {r.stderr.strip()}")


def pos(model, biased=True, extra=0):
    """A position (0-based): often the head, the tail or a page's edge."""
    n = len(model) + extra
    c = rng.random()
    if biased and c < 0.15:
        return 0
    if biased and c < 0.35:
        return n - 1
    if biased and c < 0.5:
        return min(n - 1, rng.choice([444, 445, 446, 222, 223, 890]))
    return rng.randrange(n)


def edit(model, batch):
    """One random edit to the model, as the command (or restore line) doing it."""
    c = rng.random()
    if c < 0.3 or len(model) < 50:
        p = pos(model, extra=1)
        r = some_rule()
        model.insert(p, r)
        return ["-I", "INPUT", str(p + 1), *r.split()]
    if c < 0.45:
        r = some_rule()
        model.append(r)
        return ["-A", "INPUT", *r.split()]
    if c < 0.7:
        p = pos(model)
        if model[p] == PROBE:
            return None
        del model[p]
        return ["-D", "INPUT", str(p + 1)]
    if c < 0.85:
        r = rng.choice(DUPS) if rng.random() < 0.5 else rng.choice(model)
        if r == PROBE or r not in model:
            return None
        model.remove(r)     # the first equal one
        return ["-D", "INPUT", *r.split()]
    p = pos(model)
    if model[p] == PROBE:
        return None
    r = some_rule()
    model[p] = r
    return ["-R", "INPUT", str(p + 1), *r.split()]


def check(model, what):
    got = [x[len("-A INPUT "):] for x in moat("-S", "INPUT").splitlines()
           if x.startswith("-A INPUT ")]
    if got != model:
        bad = next(i for i in range(min(len(got), len(model)) + 1)
                   if i >= len(got) or i >= len(model) or got[i] != model[i])
        sys.exit(f"{what}: listed {len(got)} rules, the model {len(model)}; "
                 f"first difference at rule {bad + 1}")


def main():
    model = [fresh() for _ in range(1500)]
    model.insert(700, PROBE)
    moat("-F", "INPUT")
    restore(["-A INPUT " + r for r in model])
    check(model, "the restore")
    for rnd in range(12):
        # Single commands: each its own transaction, pages shared with
        # the live list and copied on write.
        for _ in range(25):
            cmd = edit(model, False)
            if cmd:
                moat(*cmd)
        check(model, f"round {rnd}: single commands")
        # One transaction of many edits: pages the transaction owns are
        # written in place, split and joined again.
        lines = []
        for _ in range(150):
            cmd = edit(model, True)
            if cmd:
                lines.append(" ".join(cmd))
        # A run of deletions empties pages and leaves sparse neighbours.
        if rnd % 3 == 2 and len(model) > 900:
            start = rng.randrange(len(model) - 600)
            for _ in range(500):
                if model[start] == PROBE:
                    start += 1
                del model[start]
                lines.append(f"-D INPUT {start + 1}")
        restore(lines)
        check(model, f"round {rnd}: a transaction of {len(lines)} edits")
    print(f"{len(model)} rules after the edits")
    print(model.index(PROBE) + 1)


main()
