#!/usr/bin/python3
"""churn.py: one process changing a namespace's rules as fast as it can.

  churn.py STOPFILE [--full]

Until STOPFILE exists, rounds of changes to the filter table around a UDP
stream's rules (t-churn.sh's topology), over the moat netlink family
directly, every request answered before the next:

  - chain churn: a restore of it, as moat-restore --noflush sends one (a
    transaction that flushes it and adds its two rules); inserts, appends,
    a replace, deletes by position and by rule, a jump to a new chain that
    is renamed, flushed and deleted; its counters zeroed;
  - FORWARD's policy toggled;
  - the nat table restored whole (a DNAT), a MARK rule added to mangle
    PREROUTING and the table flushed;
  - with --full, each round starts with a restore of the whole filter
    table: INPUT's policy DROP, its jump to churn and the stream's ACCEPT
    in every version.

Every request must succeed.  INPUT's rules (the jump to churn, then the
stream's ACCEPT) are only ever replaced whole by --full's restores, so
the stream must always get through.  Prints "N rounds, M requests".
Exit status: 0 done, 1 a request failed.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nlfuzz  # noqa: E402  the netlink plumbing and the ABI reader

Attr = nlfuzz.Attr
STREAM_SRC, STREAM_PORT = 0x0a000101, 9000     # 10.0.1.1, udp 9000


class Churn:
    def __init__(self):
        here = os.path.dirname(os.path.abspath(__file__))
        self.abi = nlfuzz.Abi(os.path.join(here, "../../../include/uapi/linux/moat.h"))
        self.fz = nlfuzz.Fuzzer(self.abi, random.Random(0), 2)
        self.sock = self.fz.socks[0]
        self.requests = 0

    def a(self, const):
        return self.abi.a(const)

    def do(self, cmd, attrs):
        self.requests += 1
        self.fz.extack.clear()
        err = self.fz.talk(self.sock, cmd, attrs)
        if err != 0:
            what = "no answer" if err is None else os.strerror(-err)
            raise RuntimeError(f"{cmd}: {what} ({'; '.join(self.fz.extack) or 'no message'})")

    # --- attributes -------------------------------------------------------

    def table(self, name):
        return Attr(self.a("MOAT_A_TABLE_NAME"), name.encode() + b"\0")

    def chain(self, name, const="MOAT_A_CHAIN_NAME"):
        return Attr(self.a(const), name.encode() + b"\0")

    def u32(self, const, v):
        return Attr(self.a(const), struct.pack("=I", v))

    def rule(self, src=None, proto=0, dport=None, verdict=None, jump=None, target=None):
        """A rule: -s SRC/24 (or /32 when it has host bits), -p, a tcp or
        udp --dport, and a verdict, a jump or an extension target (name,
        [attributes])."""
        a = self.a
        r = []
        if src is not None:
            mask = 0xffffffff if src & 0xff else 0xffffff00
            r += [Attr(a("MOAT_A_RULE_SRC"), struct.pack(">I", src)),
                  Attr(a("MOAT_A_RULE_SRC_MASK"), struct.pack(">I", mask))]
        if proto:
            r.append(Attr(a("MOAT_A_RULE_PROTO"), struct.pack("=H", proto)))
        if dport is not None:
            ports = Attr(a("MOAT_A_MATCH_DATA"), [
                Attr(a("MOAT_A_PORTS_DPORT_MIN"), struct.pack("=H", dport)),
                Attr(a("MOAT_A_PORTS_DPORT_MAX"), struct.pack("=H", dport))])
            name = b"tcp\0" if proto == 6 else b"udp\0"
            r.append(Attr(a("MOAT_A_RULE_MATCHES"), [
                Attr(a("MOAT_A_MATCH"), [Attr(a("MOAT_A_MATCH_NAME"), name), ports])]))
        if verdict:
            t = [self.u32("MOAT_A_TARGET_VERDICT", self.a("MOAT_VERDICT_" + verdict))]
        elif jump:
            t = [self.chain(jump, "MOAT_A_TARGET_JUMP")]
        elif target:
            t = [Attr(a("MOAT_A_TARGET_NAME"), target[0].encode() + b"\0"),
                 Attr(a("MOAT_A_TARGET_DATA"), target[1])]
        else:
            t = None
        if t:
            r.append(Attr(a("MOAT_A_RULE_TARGET"), t))
        return Attr(a("MOAT_A_RULE"), r)

    def add(self, table, chain, rule, pos=None):
        attrs = [self.table(table), self.chain(chain), rule]
        if pos:
            attrs.append(self.u32("MOAT_A_RULE_POS", pos))
        self.do("NEW_RULE", attrs)

    # --- the changes -------------------------------------------------------

    def txn(self, table, flush, body):
        flags = [self.u32("MOAT_A_TXN_FLAGS", self.a("MOAT_TXN_F_FLUSH"))] if flush else []
        self.do("BEGIN", [self.table(table)] + flags)
        body()
        self.do("COMMIT", [self.table(table)])

    def full_restore(self, i):
        def body():
            self.do("SET_POLICY", [self.table("filter"), self.chain("INPUT"),
                                   self.u32("MOAT_A_CHAIN_POLICY", self.a("MOAT_VERDICT_DROP"))])
            for c in ("churn", "spare"):
                self.do("NEW_CHAIN", [self.table("filter"), self.chain(c)])
            self.add("filter", "INPUT", self.rule(jump="churn"))
            self.add("filter", "INPUT", self.rule(src=STREAM_SRC, proto=17, dport=STREAM_PORT,
                                                  verdict="ACCEPT"))
            self.churn_rules(i)
            self.add("filter", "spare", self.rule(proto=6, dport=i % 250 + 1, verdict="DROP"))
        self.txn("filter", True, body)

    def churn_rules(self, i):
        self.add("filter", "churn", self.rule(src=0x0a610000 | (i % 250) << 8, verdict="DROP"))
        self.add("filter", "churn", self.rule(proto=17, dport=9001, verdict="DROP"))

    def chain_restore(self, i):
        def body():
            self.do("FLUSH", [self.table("filter"), self.chain("churn")])
            self.churn_rules(i)
        self.txn("filter", False, body)

    def round(self, i, full):
        f = self.table("filter")
        if full:
            self.full_restore(i)
        else:
            self.chain_restore(i)
        self.add("filter", "churn", self.rule(src=0x0a630000 | (i % 250) << 8, verdict="DROP"), 1)
        tcp = self.rule(proto=6, dport=i % 60000 + 1, verdict="DROP")
        self.add("filter", "churn", tcp)
        self.do("REPLACE_RULE", [f, self.chain("churn"), self.u32("MOAT_A_RULE_POS", 2),
                                 self.rule(src=0x0a620001 | (i % 250) << 8, verdict="RETURN")])
        self.do("DEL_RULE", [f, self.chain("churn"), self.u32("MOAT_A_RULE_POS", 1)])
        self.do("DEL_RULE", [f, self.chain("churn"), tcp])
        t, u = f"t{i}", f"u{i}"
        self.do("NEW_CHAIN", [f, self.chain(t)])
        self.add("filter", t, self.rule(proto=1, verdict="RETURN"))
        self.add("filter", "churn", self.rule(jump=t), 1)
        self.do("RENAME_CHAIN", [f, self.chain(t), self.chain(u, "MOAT_A_CHAIN_NEWNAME")])
        self.do("DEL_RULE", [f, self.chain("churn"), self.u32("MOAT_A_RULE_POS", 1)])
        self.do("FLUSH", [f, self.chain(u)])
        self.do("DEL_CHAIN", [f, self.chain(u)])
        self.do("ZERO", [f, self.chain("churn")])
        policy = self.a("MOAT_VERDICT_DROP" if i % 2 else "MOAT_VERDICT_ACCEPT")
        self.do("SET_POLICY", [f, self.chain("FORWARD"), self.u32("MOAT_A_CHAIN_POLICY", policy)])
        dnat = ("DNAT", [self.u32("MOAT_A_NAT_FLAGS", self.a("MOAT_NAT_F_ADDR")),
                         Attr(self.a("MOAT_A_NAT_ADDR_MIN"), struct.pack(">I", 0x0a000109)),
                         Attr(self.a("MOAT_A_NAT_ADDR_MAX"), struct.pack(">I", 0x0a000109))])
        self.txn("nat", True, lambda: self.add("nat", "PREROUTING",
                                               self.rule(proto=6, dport=i % 60000 + 1, target=dnat)))
        mark = ("MARK", [self.u32("MOAT_A_MARK_T_VALUE", i), self.u32("MOAT_A_MARK_T_MASK", 0xffffffff)])
        self.add("mangle", "PREROUTING", self.rule(proto=6, target=mark))
        self.do("FLUSH", [self.table("mangle")])


def main():
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--full"):
        print(__doc__, file=sys.stderr)
        return 2
    stop, full = sys.argv[1], len(sys.argv) == 3
    c = Churn()
    rounds = 0
    try:
        while not os.path.exists(stop):
            rounds += 1
            c.round(rounds, full)
    except RuntimeError as e:
        print(f"FAIL: round {rounds}: {e}", file=sys.stderr)
        return 1
    print(f"{rounds} rounds, {c.requests} requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
