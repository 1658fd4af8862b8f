#!/usr/bin/python3
"""nlfuzz.py: a seeded, bounded fuzzer of the moat Generic Netlink family.

  nlfuzz.py [--seed N] [--time S] [--count N] [--sockets K] [--abi PATH]
            [--smoke-only] [--no-smoke] [--leave]
  nlfuzz.py --refused [--unshare-user]

It reads the ABI from include/uapi/linux/moat.h: every MOAT_CMD_*, every
attribute enum and the type its comment names (string, u8 ... u64, be32,
flag, nest, binary), and the constants a comment points at (MOAT_VERDICT_*).
A command, match or target attribute set that this file does not know how
to build is an error (exit 2): a new one must be added here, so that the
fuzzer keeps covering the whole ABI.

First a smoke run: one valid request of every command must succeed, and the
transaction rules of the header comment must hold across sockets (another
socket's change is refused with EBUSY even with a spoofed nlmsg_pid;
closing a socket aborts its transaction; after a failed command only ABORT
works; staged rules stay out of other sockets' dumps; a loop fails the
commit and changes nothing).

Then, until --time seconds pass or --count messages are sent, from --sockets
sockets at once: valid-ish requests of every command, on every table, and
their mutations -- attributes of the wrong type or length, truncated and
oversized (to the 64 KiB nla_len limit), nests of garbage or nested a
thousand deep, unknown attribute types and flag bits, lying nlmsg_len and
nla_len fields, several messages in one sendmsg with the last one cut,
thousands of rules in one transaction, positions and counts at their
limits, jumps to chains that do not exist, transactions interleaved from
several sockets, dumps interleaved with changes, and sockets closed in the
middle of a transaction or a dump.

A --seed fixes the random choices; the kernel's answers steer only which
accepted rule is sent again, so a failure replays with --seed and a --count
near the last progress line (exactly so for one fuzzer on a fresh
namespace).
--refused checks permissions instead: a valid request of every command
must fail with EPERM, as it must for a user without CAP_NET_ADMIN, or
(--unshare-user) for root of a user namespace made after the sockets were
opened, which owns no network namespace.

Exit status: 0 done, 1 a smoke check failed or a reply was malformed, 2
usage or an ABI this file does not cover.  Whether the kernel stayed
healthy (dmesg, the ruleset, slab) is the caller's check: t-nlfuzz.sh.
"""
import argparse
import collections
import errno
import os
import random
import re
import socket
import struct
import sys
import time

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_MULTI, NLM_F_ACK = 0x1, 0x2, 0x4
NLM_F_DUMP_INTR = 0x10
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG = 1
NLM_F_DUMP = 0x300
NLA_F_NESTED, NLA_F_NET_BYTEORDER = 0x8000, 0x4000
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

# Kernel facts the header does not spell out: each table's built-in chains,
# and which extension targets each table takes (the header's comment).
TABLES = {
    "filter": ["INPUT", "FORWARD", "OUTPUT"],
    "nat": ["PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"],
    "mangle": ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"],
    "raw": ["PREROUTING", "OUTPUT"],
}
TABLE_TARGETS = {
    "filter": ["REJECT", "LOG", "MARK", "CONNMARK"],
    "nat": ["SNAT", "DNAT", "MASQUERADE", "REDIRECT", "LOG", "MARK", "CONNMARK"],
    "mangle": ["TOS", "DSCP", "TTL", "MARK", "CONNMARK", "LOG"],
    "raw": ["CT", "NOTRACK", "MARK", "LOG"],
}

# Which attribute enum each match and target reads from its DATA nest, and
# the -p a match needs.
MATCHES = {
    "tcp": ("moat_tcpudp_attr", 6), "udp": ("moat_tcpudp_attr", 17),
    "icmp": ("moat_icmp_attr", 1), "multiport": ("moat_multiport_attr", 6),
    "state": ("moat_conntrack_attr", 0), "conntrack": ("moat_conntrack_attr", 0),
    "owner": ("moat_owner_attr", 0), "limit": ("moat_limit_attr", 0),
    "mark": ("moat_mark_attr", 0), "connmark": ("moat_mark_attr", 0),
    "comment": ("moat_comment_attr", 0), "iprange": ("moat_iprange_attr", 0),
    "addrtype": ("moat_addrtype_attr", 0), "mac": ("moat_mac_attr", 0),
    "length": ("moat_length_attr", 0), "ttl": ("moat_ttl_attr", 0),
    "tos": ("moat_tos_attr", 0), "dscp": ("moat_tos_attr", 0),
    "recent": ("moat_recent_attr", 0), "statistic": ("moat_statistic_attr", 0),
}
TARGETS = {
    "REJECT": "moat_reject_attr", "LOG": "moat_log_attr",
    "SNAT": "moat_nat_attr", "DNAT": "moat_nat_attr",
    "MASQUERADE": "moat_nat_attr", "REDIRECT": "moat_nat_attr",
    "MARK": "moat_mark_target_attr", "CONNMARK": "moat_connmark_attr",
    "TOS": "moat_tos_target_attr", "DSCP": "moat_dscp_target_attr",
    "TTL": "moat_ttl_target_attr", "CT": "moat_ct_target_attr",
    "NOTRACK": "moat_ct_target_attr",
}
# Enums that are not attribute sets, and the sets built by hand below.
NOT_ATTR_SETS = {"moat_genl_cmd", "moat_verdict", "moat_reject_with"}
STRUCTURAL = {"moat_attr", "moat_counters_attr", "moat_rule_attr",
              "moat_matches_attr", "moat_match_attr", "moat_target_attr"}

# What each command carries (see the header): "?" optional, "|" either.
COMMANDS = {
    "GET_INFO": [],
    "GET_TABLE": ["table"],
    "NEW_CHAIN": ["table", "uchain"],
    "DEL_CHAIN": ["table", "?uchain"],
    "RENAME_CHAIN": ["table", "uchain", "newname"],
    "SET_POLICY": ["table", "bchain", "policy", "?counters"],
    "NEW_RULE": ["table", "chain", "rule", "?pos"],
    "DEL_RULE": ["table", "chain", "rule|pos"],
    "REPLACE_RULE": ["table", "chain", "pos", "rule"],
    "CHECK_RULE": ["table", "chain", "rule"],
    "FLUSH": ["table", "?chain"],
    "ZERO": ["table", "?chain", "?pos"],
    "GET_CHAIN": ["table", "chain"],
    "BEGIN": ["table", "?txnflags"],
    "COMMIT": ["table"],
    "ABORT": ["table"],
}
DUMP_COMMANDS = {"GET_TABLE"}

USER_CHAINS = ["fz0", "fz1", "fz2", "fz3", "fz4", "fz5"]
MISSING_CHAINS = ["gone", "fz9", "INPUTX"]
IFACES = ["lo", "to-b", "eth+", "+", "veth0", "x" * 15, ""]
TYPES = ("string", "be32", "u8", "u16", "u32", "u64", "flag", "nest", "binary")
INT_SIZE = {"u8": 1, "u16": 2, "u32": 4, "be32": 4, "u64": 8}


class AbiError(Exception):
    pass


class Abi:
    """The enums and numeric #defines of moat.h, with each attribute's type."""

    def __init__(self, path):
        with open(path) as f:
            text = re.sub(r"^\s*/\*(?:(?!\*/).)*\*/\s*$", "", f.read(), flags=re.M | re.S)
        self.enums = {}     # name -> [(const, value, type, comment)]
        self.consts = {}    # every enum constant and numeric #define
        for m in re.finditer(r"enum\s+(\w+)\s*\{(.*?)\};", text, re.S):
            items, value = [], 0
            for line in m.group(2).splitlines():
                im = re.match(r"\s*(\w+)\s*(?:=\s*([^,/]+))?,?\s*(?:/\*(.*?)\*/)?\s*$", line)
                if not im:
                    continue
                const, val, comment = im.group(1), im.group(2), im.group(3) or ""
                if val:
                    value = int(val.strip(), 0)
                tm = re.search(r"\b(" + "|".join(TYPES) + r")\b", comment)
                items.append((const, value, tm.group(1) if tm else None, comment))
                self.consts[const] = value
                value += 1
            self.enums[m.group(1)] = items
        for m in re.finditer(r"^#define\s+(MOAT_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b", text, re.M):
            self.consts[m.group(1)] = int(m.group(2), 0)
        self.cmds = {c[len("MOAT_CMD_"):]: v for c, v, _, _ in self.enums["moat_genl_cmd"]
                     if not c.startswith("__")}
        self.cmd_names = {v: k for k, v in self.cmds.items()}
        self._attrs = {}

    def attrs(self, enum):
        """The real attributes of @enum, no _UNSPEC nor __MAX sentinel:
        (const, value, type, the values its comment points at)."""
        if enum not in self._attrs:
            self._attrs[enum] = [(c, v, t, self.hints(com)) for c, v, t, com in self.enums[enum]
                                 if v and not c.startswith("__")]
        return self._attrs[enum]

    def a(self, const):
        return self.consts[const]

    def max_attr(self, enum):
        return max(v for _, v, _, _ in self.attrs(enum))

    def hints(self, comment):
        """The constants a comment names: MOAT_VERDICT_* or MOAT_X_A/_B."""
        out = []
        for m in re.finditer(r"(MOAT_[A-Z0-9_]+?_)(?:\*|[A-Z0-9]+(?:/_[A-Z0-9]+)+)", comment):
            out += [v for k, v in self.consts.items() if k.startswith(m.group(1))
                    and not k.endswith("_MAX") and not k.startswith("MOAT_A_")]
        return out

    def check_coverage(self):
        missing = set(self.cmds) - set(COMMANDS) - {"UNSPEC"}
        if missing:
            raise AbiError("commands the fuzzer cannot build: " + ", ".join(sorted(missing)))
        known = NOT_ATTR_SETS | STRUCTURAL | {e for e, _ in MATCHES.values()} | set(TARGETS.values())
        unknown = set(self.enums) - known
        if unknown:
            raise AbiError("attribute sets no match or target here uses: " + ", ".join(sorted(unknown)))
        for enum in known - NOT_ATTR_SETS:
            if enum not in self.enums:
                raise AbiError(f"{enum} is not in the header any more")
            for const, _, typ, _ in self.attrs(enum):
                if typ is None and not const.endswith("_PAD"):
                    raise AbiError(f"{const}: its comment names no type")


class Attr:
    """One attribute: @v is bytes, or a list of Attr for a nest."""
    __slots__ = ("t", "v")

    def __init__(self, t, v):
        self.t, self.v = t, v

    def nested(self):
        return isinstance(self.v, list)

    def copy(self):
        """A copy sharing no nest with @self, so that a mutation changes
        one of them: shared nests grew messages (and the fuzzer's memory)
        by their number of copies at every mutation inside them."""
        return Attr(self.t, [a.copy() for a in self.v] if self.nested() else self.v)

    def size(self):
        """Its encoded length, padding included."""
        n = 4 + (sum(a.size() for a in self.v) if self.nested() else len(self.v))
        return n + -n % 4


def encode_attrs(attrs, out=None):
    out = bytearray() if out is None else out
    for a in attrs:
        start = len(out)
        out += b"\0\0\0\0"
        if a.nested():
            encode_attrs(a.v, out)
            t = a.t if a.t & 0xc000 else a.t | NLA_F_NESTED
        else:
            out += a.v
            t = a.t
        struct.pack_into("=HH", out, start, (len(out) - start) & 0xffff, t & 0xffff)
        out += b"\0" * (-len(out) % 4)
    return out


def genl_msg(family, cmd, attrs, flags, seq, version=1, pid=0):
    payload = struct.pack("=BBH", cmd & 0xff, version & 0xff, 0) + encode_attrs(attrs)
    return struct.pack("=IHHII", 16 + len(payload), family, flags, seq, pid) + payload


class Sock:
    """One netlink socket and what it has open: a transaction, a dump."""

    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.portid = self.s.getsockname()[0]
        self.s.setblocking(False)

    def close(self):
        self.s.close()


class Fuzzer:
    def __init__(self, abi, rng, nsocks):
        self.abi, self.rng = abi, rng
        self.socks = [Sock() for _ in range(nsocks)]
        self.family = self.resolve_family()
        self.seq = rng.randrange(1 << 30)
        self.sent = 0
        self.pending = {}       # seq -> command name, until its answer
        self.stats = collections.defaultdict(collections.Counter)
        self.dump_intr = 0
        self.extack = collections.Counter()
        self.send_errors = collections.Counter()
        self.t_rule = abi.a("MOAT_A_RULE")
        self.strict = False     # only values likely to be accepted
        self.pool = {t: [] for t in TABLES}    # rules the kernel took
        self.pooled = 0
        self.known = []         # user chains a strict request may name
        self.strict_cmd = None

    # --- netlink plumbing ----------------------------------------------

    def resolve_family(self):
        s = self.socks[0]
        name = Attr(CTRL_ATTR_FAMILY_NAME, b"moat\0")
        s.s.send(genl_msg(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, [name], NLM_F_REQUEST, 1))
        s.s.setblocking(True)
        data = s.s.recv(65536)
        s.s.setblocking(False)
        for typ, _, _, payload in parse_msgs(data):
            if typ == NLMSG_ERROR:
                err = struct.unpack_from("=i", payload)[0]
                raise OSError(-err, "resolving the moat family: " + os.strerror(-err))
            for atype, val in parse_attrs(payload[4:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    return struct.unpack_from("=H", val)[0]
        raise OSError(errno.EPROTO, "no family id in the controller's reply")

    def next_seq(self):
        self.seq = (self.seq + 1) & 0xffffffff
        return self.seq

    def msg(self, cmd, attrs, flags=None, seq=None, **kw):
        """A request of command name or number @cmd, recorded for stats."""
        num = self.abi.cmds[cmd] if isinstance(cmd, str) else cmd
        if flags is None:
            flags = NLM_F_REQUEST | (NLM_F_DUMP if cmd in DUMP_COMMANDS else NLM_F_ACK)
        seq = self.next_seq() if seq is None else seq
        name = self.abi.cmd_names.get(num, f"cmd{num}")
        # A request sent without NLM_F_ACK that succeeds has no answer:
        # the oldest entries go, so that the fuzzer's own memory is bounded.
        if len(self.pending) >= 8192:
            del self.pending[next(iter(self.pending))]
        self.pending[seq] = (name, self.poolable(name, attrs))
        return genl_msg(self.family, num, attrs, flags, seq, **kw)

    def poolable(self, name, attrs):
        """(table, rule) of a NEW_RULE whose rule may go to the pool: not
        a jump, whose chain may be gone when the rule is sent again, nor
        one of over 4 KiB."""
        if name != "NEW_RULE":
            return None
        a = self.abi.a
        jumps = (a("MOAT_A_TARGET_JUMP"), a("MOAT_A_TARGET_GOTO"))
        table = next((x.v for x in attrs if x.t == a("MOAT_A_TABLE_NAME")), b"")
        rule = next((x for x in attrs if x.t == self.t_rule and x.nested()), None)
        if rule is None or not isinstance(table, bytes):
            return None
        for x in rule.v:
            if x.t == a("MOAT_A_RULE_TARGET") and x.nested() and any(y.t in jumps for y in x.v):
                return None
        data = bytes(encode_attrs(rule.v))
        if len(data) > 4096:    # an oversized attribute: kept out of pending
            return None
        return table.rstrip(b"\0").decode("latin-1"), data

    def send(self, sock, data, n=1):
        self.sent += n
        try:
            sock.s.send(data)
        except OSError as e:
            self.send_errors[errno.errorcode.get(e.errno, str(e.errno))] += 1

    def drain(self, sock, until_done=True):
        """Reads what is there; a dump is read to its end (each recv makes
        the kernel fill the next part).  Returns the errors seen."""
        errs = []
        while True:
            try:
                data = sock.s.recv(1 << 17)
            except BlockingIOError:
                return errs
            except OSError as e:    # ENOBUFS: we let the queue overrun
                self.send_errors["recv-" + errno.errorcode.get(e.errno, "?")] += 1
                return errs
            for typ, flags, seq, payload in parse_msgs(data):
                if flags & NLM_F_DUMP_INTR:
                    self.dump_intr += 1
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    err = struct.unpack_from("=i", payload)[0] if len(payload) >= 4 else 0
                    if not -4095 <= err <= 0:
                        raise ReplyError(f"error {err} out of range in reply to seq {seq}")
                    name, pool = self.pending.pop(seq, ("?", None))
                    self.stats[name][errno.errorcode.get(-err, "OK") if err else "OK"] += 1
                    if not err and pool and pool[0] in self.pool:
                        self.add_to_pool(*pool)
                    if err and typ == NLMSG_ERROR and flags & NLM_F_ACK_TLVS:
                        for atype, val in parse_attrs(payload[20:]):
                            if atype == NLMSGERR_ATTR_MSG:
                                self.extack[f"{name}: {val.rstrip(bytes(1)).decode(errors='replace')}"] += 1
                    errs.append(err)
            if not until_done:
                return errs

    def talk(self, sock, cmd, attrs, **kw):
        """One request, its answer: 0 or -errno (a dump: its DONE's)."""
        self.send(sock, self.msg(cmd, attrs, **kw))
        errs = self.drain(sock)
        return errs[-1] if errs else None

    def reopen(self, i):
        self.socks[i].close()
        self.socks[i] = Sock()

    def add_to_pool(self, table, rule):
        """Keeps @rule, which the kernel accepted, for requests that should
        succeed: this is where the kernel's answers steer what is sent, so
        a replay is exact only for one fuzzer on a fresh namespace."""
        pool = self.pool[table]
        if len(pool) < 300:
            pool.append(rule)
        else:
            pool[self.pooled % 300] = rule
        self.pooled += 1

    # --- valid-ish values ----------------------------------------------

    def pick(self, seq):
        return self.rng.choice(seq)

    def chance(self, p):
        return self.rng.random() < p

    def name(self, pool):
        r = 0 if self.strict else self.rng.random()
        if r < 0.9:
            s = self.pick(pool)
        elif r < 0.95:
            s = self.pick(MISSING_CHAINS)
        else:
            s = self.pick(["", "x" * 31, "x" * 32, "y" * 200, "a b", "-", "\xff\x01"])
        return s.encode("latin-1") + b"\0"

    def table(self):
        if self.strict or self.chance(0.97):
            return self.pick(list(TABLES))
        return self.pick(["", "bogus", "filterx", "f" * 40, "FILTER"])

    def int_value(self, typ, hints):
        size = INT_SIZE[typ]
        top = (1 << (8 * size)) - 1
        r = self.rng.random() * (0.9 if self.strict else 1)
        if hints and (r < 0.6 or self.strict):
            v = self.pick(hints)
            if self.chance(0.2):
                v |= self.pick(hints)
        elif r < 0.9:
            v = self.pick([0, 1, 2, 3, 5, 10, 15, 16, 31, 32, 63, 64, 100, 255, 1000, 10000])
        elif r < 0.95:
            v = self.pick([top, top - 1, top >> 1, (top >> 1) + 1])
        else:
            v = self.rng.randrange(top + 1)
        v &= top
        fmt = {1: "B", 2: "H", 4: "I", 8: "Q"}[size]
        return struct.pack((">" if typ == "be32" else "=") + fmt, v)

    def addr(self, mask):
        if mask:
            bits = self.pick([0, 8, 16, 24, 32, 32, self.rng.randrange(33)])
            v = (0xffffffff << (32 - bits)) & 0xffffffff
            if self.chance(0.05):
                v = self.rng.randrange(1 << 32)   # not a prefix
        else:
            v = self.pick([0x0a000101, 0x0a000102, 0x0a000000, 0x7f000001,
                           0xffffffff, 0, self.rng.randrange(1 << 32)])
        return struct.pack(">I", v)

    def string(self, const):
        if const.endswith(("_IIF", "_OIF")):
            return self.name(IFACES)
        if const.endswith(("_JUMP", "_GOTO")):
            return self.name(USER_CHAINS)
        if "PREFIX" in const or "TEXT" in const:
            return self.pick([b"", b"fz ", b"x" * 29, b"x" * 30, b"y" * 255,
                              b"z" * 256, b"%s%n"]) + b"\0"
        if const.endswith("_NAME"):
            return self.pick([b"fz", b"DEFAULT", b"x" * 199, b"x" * 200, b""]) + b"\0"
        return self.name(USER_CHAINS)

    def binary(self, const):
        if const.endswith("_ADDR") and self.chance(0.9):     # a MAC address
            return bytes(self.rng.randrange(256) for _ in range(6))
        n = self.pick([0, 1, 2, 3, 15, 16]) if self.chance(0.9) else self.rng.randrange(3000)
        if const.endswith("_PORTS"):
            return b"".join(struct.pack("=H", self.pick([0, 22, 80, 1024, 65535]))
                            for _ in range(n))
        return bytes(self.rng.randrange(2) for _ in range(n))

    def value(self, const, typ, hints):
        if typ in INT_SIZE:
            if typ == "be32":
                return self.addr("MASK" in const)
            return self.int_value(typ, hints)
        if typ == "string":
            return self.string(const)
        if typ == "binary":
            return self.binary(const)
        if typ == "flag":
            return b""
        return bytes(self.rng.randrange(256) for _ in range(self.pick([0, 4, 8])))

    def attr_set(self, enum, p=0.5):
        """A random subset of @enum's attributes, each of its type."""
        out = []
        for const, v, typ, hints in self.abi.attrs(enum):
            if self.chance(p) and typ != "nest":
                out.append(Attr(v, self.value(const, typ, hints)))
        self.rng.shuffle(out)
        return out

    def counters(self):
        a = self.abi.a
        pkts = self.int_value("u64", [])
        return [Attr(a("MOAT_A_COUNTERS_PACKETS"), pkts),
                Attr(a("MOAT_A_COUNTERS_BYTES"), self.int_value("u64", []))]

    def match(self, name):
        a = self.abi.a
        enum, _ = MATCHES[name]
        m = [Attr(a("MOAT_A_MATCH_NAME"), name.encode() + b"\0")]
        if self.strict or self.chance(0.7):
            p = 0.85 if self.strict else self.pick([0.2, 0.5])
            m.append(Attr(a("MOAT_A_MATCH_DATA"), self.attr_set(enum, p)))
        return Attr(a("MOAT_A_MATCH"), m)

    def target(self, table):
        a = self.abi.a
        r = self.rng.random()
        if r < 0.45:
            verdicts = [v for c, v, _, _ in self.abi.attrs("moat_verdict")]
            return [Attr(a("MOAT_A_TARGET_VERDICT"), struct.pack("=I", self.pick(verdicts)))]
        if r < 0.6 and (self.known or not self.strict):
            kind = self.pick(["MOAT_A_TARGET_JUMP", "MOAT_A_TARGET_GOTO"])
            return [Attr(a(kind), self.name(self.known if self.strict else USER_CHAINS))]
        tt = TABLE_TARGETS.get(table, ["LOG"])
        name = self.pick(tt if self.strict or self.chance(0.9) else list(TARGETS))
        t = [Attr(a("MOAT_A_TARGET_NAME"), name.encode() + b"\0")]
        if self.strict or self.chance(0.7):
            p = 0.85 if self.strict else self.pick([0.2, 0.5])
            t.append(Attr(a("MOAT_A_TARGET_DATA"), self.attr_set(TARGETS[name], p)))
        return t

    def rule(self, table):
        a = self.abi.a
        r = []
        names = self.rng.sample(list(MATCHES), self.pick([0, 0, 1, 1, 2, 3]))
        protos = {MATCHES[n][1] for n in names} - {0}
        proto = protos.pop() if len(protos) == 1 else self.pick([0, 0, 6, 17, 1])
        if proto or self.chance(0.1):
            r.append(Attr(a("MOAT_A_RULE_PROTO"), struct.pack("=H", proto)))
        r += [x for x in self.attr_set("moat_rule_attr", 0.15)
              if x.t != a("MOAT_A_RULE_PROTO") or not r]
        if names:
            r.append(Attr(a("MOAT_A_RULE_MATCHES"), [self.match(n) for n in names]))
        if self.chance(0.85):
            r.append(Attr(a("MOAT_A_RULE_TARGET"), self.target(table)))
        if self.chance(0.1):
            r.append(Attr(a("MOAT_A_RULE_COUNTERS"), self.counters()))
        return r

    def strict_rule(self, table):
        """A rule likely to be accepted: a jump to a chain the transaction
        made, or one the kernel took before."""
        a = self.abi.a
        if self.known and self.chance(0.2):
            kind = self.pick(["MOAT_A_TARGET_JUMP", "MOAT_A_TARGET_GOTO"])
            target = [Attr(a(kind), self.pick(self.known).encode() + b"\0")]
            return Attr(self.t_rule, [Attr(a("MOAT_A_RULE_TARGET"), target)])
        if self.pool.get(table):
            return Attr(self.t_rule | NLA_F_NESTED, self.pick(self.pool[table]))
        return Attr(self.t_rule, self.rule(table))

    def seed_pool(self):
        """Fills the pool: rules sent one by one, then the tables flushed."""
        s = self.socks[0]
        self.strict = True
        for table in TABLES:
            for _ in range(100):
                self.talk(s, "NEW_RULE", self.request("NEW_RULE", table))
            self.talk(s, "FLUSH", self.request("FLUSH", table)[:1])
        self.strict = False

    def position(self):
        v = self.pick([1, 1, 1, 2, 3, 5, 50, 0, 0xffffffff, 0x80000000][:6 if self.strict else 10])
        return struct.pack("=I", v)

    def request(self, cmd, table=None, chain=None):
        """The attributes of a valid-ish @cmd."""
        a = self.abi.a
        table = table or self.table()
        builtins = TABLES.get(table, ["INPUT"])
        out = []
        for field in COMMANDS[cmd]:
            if field.startswith("?"):
                if self.chance(0.4) or (self.strict and field == "?pos"):
                    continue
                field = field[1:]
            if "|" in field:
                field = self.pick(field.split("|"))
            if field == "table":
                out.append(Attr(a("MOAT_A_TABLE_NAME"), table.encode("latin-1") + b"\0"))
            elif field in ("chain", "uchain", "bchain"):
                pool = {"chain": builtins + (self.known if self.strict else USER_CHAINS),
                        "uchain": USER_CHAINS, "bchain": builtins}[field]
                name = chain.encode() + b"\0" if chain else self.name(pool)
                out.append(Attr(a("MOAT_A_CHAIN_NAME"), name))
            elif field == "newname":
                out.append(Attr(a("MOAT_A_CHAIN_NEWNAME"), self.name(USER_CHAINS)))
            elif field == "policy":
                out.append(Attr(a("MOAT_A_CHAIN_POLICY"),
                                struct.pack("=I", self.pick([1, 2, 1, 2, 0, 3][:4 if self.strict else 6]))))
            elif field == "counters":
                out.append(Attr(a("MOAT_A_CHAIN_COUNTERS"), self.counters()))
            elif field == "rule":
                out.append(self.strict_rule(table) if self.strict else
                           Attr(self.t_rule, self.rule(table)))
            elif field == "pos":
                out.append(Attr(a("MOAT_A_RULE_POS"), self.position()))
            elif field == "txnflags":
                out.append(Attr(a("MOAT_A_TXN_FLAGS"), struct.pack("=I", self.pick([0, 1, 1, 2, 0xffffffff]))))
        return out

    # --- mutations -----------------------------------------------------

    def all_attrs(self, attrs, out=None):
        out = [] if out is None else out
        for x in attrs:
            out.append(x)
            if x.nested():
                self.all_attrs(x.v, out)
        return out

    def deep(self, depth):
        """Attributes nested @depth deep, encoded here: no recursion."""
        data = struct.pack("=HHI", 8, 1, 0)
        for _ in range(depth - 1):
            data = struct.pack("=HH", 4 + len(data), NLA_F_NESTED | self.rng.randrange(1, 4)) + data
        return [Attr(NLA_F_NESTED | self.rng.randrange(1, 4), data)]

    def mutate_tree(self, attrs):
        nodes = self.all_attrs(attrs)
        if not nodes:
            attrs.append(Attr(self.rng.randrange(64), b"\0" * 4))
            return
        x = self.pick(nodes)
        m = self.rng.randrange(11)
        if m == 0:      # wrong type
            x.t = self.rng.randrange(1 << 16) if self.chance(0.2) else self.rng.randrange(20)
        elif m == 1:    # a flag bit it should not have, or without NLA_F_NESTED
            x.t ^= self.pick([NLA_F_NESTED, NLA_F_NET_BYTEORDER])
        elif m == 2:    # payload of the wrong length
            x.v = bytes(self.rng.randrange(256) for _ in range(self.pick([0, 1, 2, 3, 5, 7, 9, 17])))
        elif m == 3:    # oversized, up to nla_len's limit
            n = self.pick([256, 4096, 65531, 65532, 70000])
            x.v = bytes([self.rng.randrange(1, 256)]) * n
        elif m == 4:    # a nest of garbage
            x.v = [Attr(self.rng.randrange(40), bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(12))))
                   for _ in range(self.rng.randrange(1, 6))]
        elif m == 5:    # deep nesting
            x.v = self.deep(self.pick([10, 100, 1000, 4000]))
        elif m == 6:    # a string without its NUL, or with NULs inside
            if not x.nested():
                x.v = x.v.rstrip(b"\0") if self.chance(0.5) else b"a\0b\0"
        elif m == 7:    # duplicated
            attrs.append(x.copy())
        elif m == 8:    # gone
            for lst in [attrs] + [n.v for n in nodes if n.nested()]:
                if x in lst:
                    lst.remove(x)
                    break
        elif m == 9:    # huge counts: many copies of an attribute in its nest
            holder = next((n for n in nodes if n.nested() and x in n.v), None)
            lst = holder.v if holder else attrs
            # At most 256 KiB of them: more than a socket sends at once.
            n = min(self.pick([17, 100, 1000]), max(1, (256 << 10) // x.size()))
            lst.extend(x.copy() for _ in range(n))
        else:           # a nest where a value belongs, or the other way
            x.v = b"\0\0\0\0" if x.nested() else [Attr(1, x.v)]

    def mutate_bytes(self, data):
        data = bytearray(data)
        if len(data) < 20:
            return bytes(data)
        m = self.rng.randrange(6)
        if m == 0:      # truncated, nlmsg_len still claiming the whole
            del data[self.rng.randrange(len(data)):]
        elif m == 1:    # truncated, nlmsg_len fixed up
            n = max(16, self.rng.randrange(len(data) + 1))
            del data[n:]
            struct.pack_into("=I", data, 0, n)
        elif m == 2:    # nlmsg_len lying
            struct.pack_into("=I", data, 0, self.pick([0, 15, 16, 19, 20, len(data) + 4, 0xffffffff]))
        elif m == 3:    # an nla_len lying
            if len(data) >= 24:
                off = 20 + 4 * self.rng.randrange((len(data) - 20) // 4)
                struct.pack_into("=H", data, off, self.pick([0, 1, 3, 4, 5, 0xffff, self.rng.randrange(1 << 16)]))
        elif m == 4:    # random bytes flipped
            for _ in range(self.rng.randrange(1, 9)):
                data[self.rng.randrange(len(data))] = self.rng.randrange(256)
        else:           # the genl header: another command, version, reserved
            if len(data) >= 20:
                data[16 + self.rng.randrange(4)] = self.rng.randrange(256)
        return bytes(data)

    def random_request(self, table=None, mutate=0.3):
        """A valid-ish request of any command, mutated with chance @mutate."""
        cmd = self.pick(list(COMMANDS))
        attrs = self.request(cmd, table)
        flags = None
        if self.chance(mutate):
            for _ in range(self.rng.randrange(1, 4)):
                self.mutate_tree(attrs)
        if self.chance(mutate / 3):
            flags = self.rng.randrange(1 << 16) | NLM_F_REQUEST
        if self.chance(0.02):
            cmd = self.pick([0, len(self.abi.cmds), len(self.abi.cmds) + 1, 255])
        data = self.msg(cmd, attrs, flags=flags)
        if self.chance(mutate / 3):
            data = self.mutate_bytes(data)
        return data

    # --- scenarios -----------------------------------------------------

    def sock(self):
        return self.pick(self.socks)

    def one(self):
        s = self.sock()
        self.send(s, self.random_request())
        if self.chance(0.97):
            self.drain(s)

    def several(self):
        """Several requests in one sendmsg, the last one maybe cut."""
        s = self.sock()
        msgs = [self.random_request(mutate=0.1) for _ in range(self.rng.randrange(2, 12))]
        data = b"".join(msgs)
        if self.chance(0.5) and len(msgs[-1]) > 1:
            data = data[:len(data) - self.rng.randrange(1, len(msgs[-1]))]
        self.send(s, data, len(msgs))
        self.drain(s)

    def transaction(self):
        """A transaction on one socket, others meddling.  A clean one
        starts from a flushed table, makes chains, and sends only requests
        likely to succeed, so that it commits and the tables grow; a dirty
        one sends anything, and its first failure cancels the rest.  It ends
        in a commit, an abort, a closed socket, or is left open."""
        a = self.abi.a
        i = self.rng.randrange(len(self.socks))
        s, table = self.socks[i], self.pick(list(TABLES))
        clean = self.chance(0.6)
        flush = clean or self.chance(0.5)
        flags = [Attr(a("MOAT_A_TXN_FLAGS"), struct.pack("=I", 1))] if flush else []
        self.talk(s, "BEGIN", self.request("BEGIN", table)[:1] + flags)
        self.known = USER_CHAINS[:self.rng.randrange(4)] if flush else []
        for c in self.known:
            self.talk(s, "NEW_CHAIN", self.request("NEW_CHAIN", table, c))
        appended = collections.Counter()    # rules added here, by chain
        for _ in range(self.rng.randrange(1, 60)):
            other = self.sock()
            self.strict = clean or self.chance(0.7)
            if self.strict:
                attrs = self.clean_request(table, appended)
                cmd = self.strict_cmd
            else:
                cmd = self.pick(["NEW_CHAIN", "NEW_RULE", "NEW_RULE", "NEW_RULE", "DEL_RULE",
                                 "REPLACE_RULE", "FLUSH", "RENAME_CHAIN", "DEL_CHAIN",
                                 "SET_POLICY", "CHECK_RULE", "GET_CHAIN", "ZERO", "GET_TABLE"])
                attrs = self.request(cmd, table)
            data = self.msg(cmd, attrs)
            self.strict = False
            if not clean and self.chance(0.05):
                data = self.mutate_bytes(data)
            self.send(other if self.chance(0.1) else s, data)
            self.drain(other)
            self.drain(s)
        self.known = []
        end = self.rng.random()
        if end < (0.8 if clean else 0.5):
            self.talk(s, "COMMIT", self.request("COMMIT", table))
        elif end < 0.75:
            self.talk(s, "ABORT", self.request("ABORT", table))
        elif end < 0.95:
            self.reopen(i)

    def clean_request(self, table, appended):
        """A request of a clean transaction, which started from a flushed
        table: appends, and deletes and replaces at positions that exist
        if the appends went through."""
        a = self.abi.a
        cmd = self.pick(["NEW_RULE"] * 6 + ["DEL_RULE", "REPLACE_RULE", "FLUSH",
                                            "SET_POLICY", "GET_TABLE", "ZERO"])
        chain = self.pick(TABLES[table] + self.known)
        if cmd in ("DEL_RULE", "REPLACE_RULE"):
            filled = sorted(c for c in appended if appended[c])
            if not filled:
                cmd = "NEW_RULE"
            else:
                chain = self.pick(filled)
                pos = Attr(a("MOAT_A_RULE_POS"), struct.pack("=I", self.rng.randrange(appended[chain]) + 1))
                self.strict_cmd = cmd
                out = [Attr(a("MOAT_A_TABLE_NAME"), table.encode() + b"\0"),
                       Attr(a("MOAT_A_CHAIN_NAME"), chain.encode() + b"\0"), pos]
                if cmd == "DEL_RULE":
                    appended[chain] -= 1
                    return out
                return out + [self.strict_rule(table)]
        self.strict_cmd = cmd
        out = self.request(cmd, table, chain if cmd != "SET_POLICY" else None)
        if cmd == "NEW_RULE":
            appended[chain] += 1
        elif cmd == "FLUSH" and len(out) == 1:
            appended.clear()
        elif cmd == "FLUSH":
            appended[chain] = 0
        return out

    def bulk(self):
        """Thousands of rules in one transaction, streamed without ACKs as a
        restore does; committed or aborted."""
        s, table = self.sock(), self.pick(list(TABLES))
        self.talk(s, "BEGIN", self.request("BEGIN", table)[:1])
        chain = self.pick(TABLES[table])
        self.strict = True
        rules = [self.request("NEW_RULE", table, chain) for _ in range(8)]
        self.strict = False
        buf, n = bytearray(), 0
        for _ in range(self.pick([500, 2000, 5000])):
            buf += self.msg("NEW_RULE", self.pick(rules), flags=NLM_F_REQUEST)
            n += 1
            if len(buf) > 100000:
                self.send(s, bytes(buf), n)
                self.drain(s)
                buf, n = bytearray(), 0
        if buf:
            self.send(s, bytes(buf), n)
        self.drain(s)
        self.talk(s, self.pick(["COMMIT", "ABORT"]), self.request("COMMIT", table))

    def dump_race(self):
        """A dump read part by part while another socket changes the table,
        sometimes abandoned by closing the socket."""
        i = self.rng.randrange(len(self.socks))
        s, table = self.socks[i], self.pick(list(TABLES))
        self.send(s, self.msg("GET_TABLE", self.request("GET_TABLE", table)))
        for _ in range(self.rng.randrange(1, 6)):
            other = self.sock()
            if other is not s:
                self.send(other, self.msg("NEW_RULE", self.request("NEW_RULE", table)))
                self.drain(other)
            self.drain(s, until_done=False)
        if self.chance(0.3):
            self.reopen(i)
        else:
            self.drain(s)

    def garbage(self):
        s = self.sock()
        r = self.rng.random()
        if r < 0.4:
            data = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(64)))
        elif r < 0.7:   # a header of our family and nothing sane after it
            body = bytes(self.rng.randrange(256) for _ in range(self.rng.randrange(48)))
            data = struct.pack("=IHHII", 16 + len(body), self.family, NLM_F_REQUEST | NLM_F_ACK,
                               self.next_seq(), 0) + body
        else:           # attributes nested thousands deep
            cmd = self.pick(["NEW_RULE", "CHECK_RULE", "BEGIN"])
            attrs = self.request(cmd, "filter") + [Attr(self.t_rule, self.deep(self.pick([200, 2000])))]
            data = self.msg(cmd, attrs)
        self.send(s, data)
        self.drain(s)

    def spoof(self):
        """A request claiming another socket's port id in nlmsg_pid."""
        s, victim = self.sock(), self.sock()
        self.send(s, self.msg(self.pick(["NEW_RULE", "COMMIT", "ABORT", "FLUSH"]),
                              self.request("NEW_RULE"), pid=victim.portid))
        self.drain(s)

    def keep_small(self):
        """Every table emptied, so that commits cannot fill the VM."""
        s = self.socks[0]
        for table in TABLES:
            self.talk(s, "ABORT", self.request("ABORT", table))
            self.talk(s, "FLUSH", self.request("FLUSH", table)[:1])
            self.talk(s, "DEL_CHAIN", self.request("DEL_CHAIN", table)[:1])

    def leave_ruleset(self):
        """Ends with a ruleset of the kernel's own choosing in every table:
        a clean transaction of accepted rules and jumps, committed (tried
        a few times: the other fuzzer may hold the table), then single
        rules."""
        a = self.abi.a
        s = self.socks[0]
        for table in TABLES:
            for _ in range(20):
                self.drain(s)
                if self.talk(s, "BEGIN", self.request("BEGIN", table)[:1] +
                             [Attr(a("MOAT_A_TXN_FLAGS"), struct.pack("=I", 1))]) != 0:
                    time.sleep(0.2)
                    continue
                self.known = USER_CHAINS[:3]
                self.strict = True
                for c in self.known:
                    self.talk(s, "NEW_CHAIN", self.request("NEW_CHAIN", table, c))
                appended = collections.Counter()
                for _ in range(40):
                    attrs = self.clean_request(table, appended)
                    self.talk(s, self.strict_cmd, attrs)
                self.strict, self.known = False, []
                if self.talk(s, "COMMIT", self.request("COMMIT", table)) == 0:
                    break
            # Then rules one at a time, each its own commit, so that one
            # the module refuses costs only itself: the save that follows
            # holds many, of every match and target.
            self.strict, self.known = True, USER_CHAINS[:3]
            for _ in range(60):
                chain = self.pick(TABLES[table] + self.known)
                self.talk(s, "NEW_RULE", self.request("NEW_RULE", table, chain))
            self.strict, self.known = False, []

    def step(self):
        r = self.rng.random()
        if r < 0.55:
            self.one()
        elif r < 0.67:
            self.transaction()
        elif r < 0.75:
            self.several()
        elif r < 0.82:
            self.dump_race()
        elif r < 0.88:
            self.garbage()
        elif r < 0.92:
            self.spoof()
        elif r < 0.96:
            self.reopen(self.rng.randrange(len(self.socks)))
        elif r < 0.98:
            self.bulk()
        else:
            self.keep_small()


class ReplyError(Exception):
    pass


def parse_msgs(data):
    off = 0
    while off + 16 <= len(data):
        length, typ, flags, seq, _ = struct.unpack_from("=IHHII", data, off)
        if length < 16 or off + length > len(data):
            raise ReplyError(f"malformed netlink reply: nlmsg_len {length} at {off} of {len(data)}")
        yield typ, flags, seq, data[off + 16:off + length]
        off += (length + 3) & ~3


def parse_attrs(data):
    off = 0
    while off + 4 <= len(data):
        length, typ = struct.unpack_from("=HH", data, off)
        if length < 4:
            return
        yield typ & 0x3fff, data[off + 4:off + length]
        off += (length + 3) & ~3


# --- the smoke run: one valid request of every command, and the rules of
# transactions across sockets --------------------------------------------

def smoke(fz):
    a = fz.abi.a
    A, B = fz.socks[0], fz.socks[1]
    done = set()

    def T(table="filter"):
        return Attr(a("MOAT_A_TABLE_NAME"), table.encode() + b"\0")

    def C(name, const="MOAT_A_CHAIN_NAME"):
        return Attr(a(const), name.encode() + b"\0")

    def u32(const, v):
        return Attr(a(const), struct.pack("=I", v))

    def rule(proto=6, dport=22, verdict=1, jump=None):
        m = Attr(a("MOAT_A_MATCH"), [
            Attr(a("MOAT_A_MATCH_NAME"), b"tcp\0" if proto == 6 else b"udp\0"),
            Attr(a("MOAT_A_MATCH_DATA"), [
                Attr(a("MOAT_A_PORTS_DPORT_MIN"), struct.pack("=H", dport)),
                Attr(a("MOAT_A_PORTS_DPORT_MAX"), struct.pack("=H", dport))])])
        target = [C(jump, "MOAT_A_TARGET_JUMP")] if jump else [u32("MOAT_A_TARGET_VERDICT", verdict)]
        return Attr(a("MOAT_A_RULE"), [
            Attr(a("MOAT_A_RULE_PROTO"), struct.pack("=H", proto)),
            Attr(a("MOAT_A_RULE_MATCHES"), [m]),
            Attr(a("MOAT_A_RULE_TARGET"), target)])

    def expect(sock, cmd, attrs, want, what, **kw):
        got = fz.talk(sock, cmd, attrs, **kw)
        if got != want:
            have = "no answer" if got is None else os.strerror(-got) if got else "success"
            raise SmokeError(f"{what}: {cmd} got {have}, want "
                             f"{os.strerror(-want) if want else 'success'}")
        if want == 0:
            done.add(cmd)
        print(f"ok: {what}")

    def rules(sock, table="filter"):
        """The rule messages of a dump of @table."""
        fz.send(sock, fz.msg("GET_TABLE", [T(table)]))
        n = 0
        sock.s.setblocking(True)
        try:
            while True:
                data = sock.s.recv(1 << 17)
                for typ, _, seq, payload in parse_msgs(data):
                    if typ in (NLMSG_DONE, NLMSG_ERROR):
                        err = struct.unpack_from("=i", payload)[0]
                        fz.pending.pop(seq, None)
                        if err:
                            raise SmokeError(f"dump of {table}: {os.strerror(-err)}")
                        done.add("GET_TABLE")
                        return n
                    n += any(t == a("MOAT_A_RULE") for t, _ in parse_attrs(payload[4:]))
        finally:
            sock.s.setblocking(False)

    for table in TABLES:    # a clean start whatever came before
        fz.talk(A, "ABORT", [T(table)])
        fz.talk(A, "FLUSH", [T(table)])
        fz.talk(A, "DEL_CHAIN", [T(table)])

    expect(A, "GET_INFO", [], 0, "info")
    expect(A, "NEW_CHAIN", [T(), C("sa")], 0, "new chain")
    expect(A, "NEW_CHAIN", [T(), C("sb")], 0, "second chain")
    expect(A, "RENAME_CHAIN", [T(), C("sb"), C("sc", "MOAT_A_CHAIN_NEWNAME")], 0, "rename")
    expect(A, "NEW_RULE", [T(), C("INPUT"), rule()], 0, "append a rule")
    expect(A, "NEW_RULE", [T(), C("sa"), rule(jump="sc")], 0, "a jump")
    expect(A, "NEW_RULE", [T(), C("sa"), rule(jump="gone")], -errno.ENOENT, "a jump to a missing chain")
    expect(A, "CHECK_RULE", [T(), C("INPUT"), rule()], 0, "check")
    expect(A, "REPLACE_RULE", [T(), C("INPUT"), u32("MOAT_A_RULE_POS", 1), rule(17, 53, 2)], 0, "replace")
    # The header says ENOENT; the kernel and the tool use ESRCH ("no such
    # rule"), which tells it apart from a missing chain.
    expect(A, "CHECK_RULE", [T(), C("INPUT"), rule()], -errno.ESRCH, "replaced rule gone")
    expect(A, "GET_CHAIN", [T(), C("INPUT")], 0, "get chain")
    expect(A, "SET_POLICY", [T(), C("FORWARD"), u32("MOAT_A_CHAIN_POLICY", 2),
                             Attr(a("MOAT_A_CHAIN_COUNTERS"), [
                                 Attr(a("MOAT_A_COUNTERS_PACKETS"), struct.pack("=Q", 7)),
                                 Attr(a("MOAT_A_COUNTERS_BYTES"), struct.pack("=Q", 700))])],
           0, "policy with counters")
    expect(A, "SET_POLICY", [T(), C("FORWARD"), u32("MOAT_A_CHAIN_POLICY", 1)], 0, "policy back")
    expect(A, "ZERO", [T()], 0, "zero")
    before = rules(B)
    print(f"ok: dump ({before} rules)")
    expect(A, "DEL_RULE", [T(), C("INPUT"), u32("MOAT_A_RULE_POS", 1)], 0, "delete by position")
    expect(A, "FLUSH", [T(), C("sa")], 0, "flush a chain")
    expect(A, "DEL_CHAIN", [T(), C("sc")], 0, "delete a chain")
    expect(A, "DEL_CHAIN", [T()], 0, "delete every empty chain")
    expect(A, "BEGIN", [T(), u32("MOAT_A_TXN_FLAGS", 1)], 0, "begin")
    expect(A, "NEW_RULE", [T(), C("INPUT"), rule()], 0, "staged rule")
    expect(A, "COMMIT", [T()], 0, "commit")
    expect(A, "BEGIN", [T()], 0, "begin again")
    expect(A, "ABORT", [T()], 0, "abort")

    # Another socket's transaction: refused, also with a spoofed nlmsg_pid.
    base = rules(B)
    expect(A, "BEGIN", [T()], 0, "A begins")
    expect(A, "NEW_RULE", [T(), C("INPUT"), rule(dport=80)], 0, "A stages a rule")
    expect(B, "NEW_RULE", [T(), C("INPUT"), rule()], -errno.EBUSY, "B is refused meanwhile")
    expect(B, "NEW_RULE", [T(), C("INPUT"), rule()], -errno.EBUSY,
           "B is refused with A's port id in nlmsg_pid", pid=A.portid)
    expect(B, "COMMIT", [T()], -errno.ENOENT, "B cannot commit A's", pid=A.portid)
    expect(B, "BEGIN", [T()], -errno.EBUSY, "B cannot begin")
    if rules(B) != base:
        raise SmokeError("A's staged rule is visible to B before the commit")
    print("ok: staged rule invisible to another socket")
    expect(A, "COMMIT", [T()], 0, "A commits")
    if rules(B) != base + 1:
        raise SmokeError("A's committed rule is not visible to B")
    print("ok: committed rule visible")

    # Closing a socket aborts its transaction.
    expect(A, "BEGIN", [T()], 0, "A begins and closes")
    expect(A, "NEW_RULE", [T(), C("INPUT"), rule(dport=81)], 0, "A stages before closing")
    fz.reopen(0)
    A = fz.socks[0]
    expect(B, "BEGIN", [T()], 0, "B begins after A closed")
    expect(B, "NEW_RULE", [T(), C("INPUT"), rule(jump="gone")], -errno.ENOENT, "a failed command")
    expect(B, "NEW_RULE", [T(), C("INPUT"), rule()], -errno.ECANCELED, "then others are cancelled")
    expect(B, "ABORT", [T()], 0, "but ABORT works")
    if rules(B) != base + 1:
        raise SmokeError("the closed or aborted transactions changed the table")
    print("ok: closed and aborted transactions changed nothing")

    # A loop fails the commit and changes nothing.
    expect(A, "BEGIN", [T()], 0, "begin a loop")
    expect(A, "NEW_CHAIN", [T(), C("la")], 0, "chain la")
    expect(A, "NEW_CHAIN", [T(), C("lb")], 0, "chain lb")
    expect(A, "NEW_RULE", [T(), C("INPUT"), rule(jump="la")], 0, "INPUT -> la")
    expect(A, "NEW_RULE", [T(), C("la"), rule(jump="lb")], 0, "la -> lb")
    expect(A, "NEW_RULE", [T(), C("lb"), rule(jump="la")], 0, "lb -> la")
    expect(A, "COMMIT", [T()], -errno.ELOOP, "the loop fails the commit")
    expect(A, "GET_CHAIN", [T(), C("la")], -errno.ENOENT, "nothing of it is there")
    if rules(B) != base + 1:
        raise SmokeError("the failed commit changed the table")
    expect(A, "FLUSH", [T()], 0, "flush filter")

    # Rules iptables' syntax cannot write, which moat-save could print but
    # moat-restore would refuse: the module refuses them (nlfuzz found
    # each in a ruleset that did not restore).
    def plain(*attrs, verdict=1):
        return Attr(a("MOAT_A_RULE"), list(attrs) + [
            Attr(a("MOAT_A_RULE_TARGET"), [u32("MOAT_A_TARGET_VERDICT", verdict)])])

    def match(name, *data):
        return Attr(a("MOAT_A_RULE_MATCHES"), [Attr(a("MOAT_A_MATCH"), [
            Attr(a("MOAT_A_MATCH_NAME"), name + b"\0"), Attr(a("MOAT_A_MATCH_DATA"), list(data))])])

    def u16(const, v):
        return Attr(a(const), struct.pack("=H", v))

    def ext_target(name, *data):
        return Attr(a("MOAT_A_RULE"), [Attr(a("MOAT_A_RULE_TARGET"), [
            Attr(a("MOAT_A_TARGET_NAME"), name + b"\0"), Attr(a("MOAT_A_TARGET_DATA"), list(data))])])

    tcp = Attr(a("MOAT_A_RULE_PROTO"), struct.pack("=H", 6))
    refused = [
        ("a DNAT to nowhere", "nat", "PREROUTING", ext_target(b"DNAT")),
        ("NAT ports without a protocol that has them", "nat", "POSTROUTING",
         ext_target(b"MASQUERADE", u32("MOAT_A_NAT_FLAGS", a("MOAT_NAT_F_PORTS")),
                    u16("MOAT_A_NAT_PORT_MIN", 80))),
        ("a DROP in nat", "nat", "PREROUTING", plain(verdict=2)),
        ("white space in an interface name", "filter", "INPUT",
         plain(Attr(a("MOAT_A_RULE_IIF"), b"a b\0"))),
        ("an output interface in INPUT", "filter", "INPUT",
         plain(Attr(a("MOAT_A_RULE_OIF"), b"lo\0"))),
        ("an input interface in POSTROUTING", "nat", "POSTROUTING",
         plain(Attr(a("MOAT_A_RULE_IIF"), b"lo\0"))),
        ("a port range going down", "filter", "INPUT",
         plain(tcp, match(b"tcp", u16("MOAT_A_PORTS_DPORT_MIN", 100),
                          u16("MOAT_A_PORTS_DPORT_MAX", 3)))),
        ("a multiport range of one port", "filter", "INPUT",
         plain(tcp, match(b"multiport", Attr(a("MOAT_A_MULTIPORT_FLAGS"), b"\1"),
                          Attr(a("MOAT_A_MULTIPORT_PORTS"), struct.pack("=HH", 80, 80)),
                          Attr(a("MOAT_A_MULTIPORT_PFLAGS"), b"\1\0")))),
        ("an iprange without a range", "filter", "INPUT",
         plain(match(b"iprange", Attr(a("MOAT_A_IPRANGE_FLAGS"), b"\x10")))),
        ("an addrtype without a type", "filter", "INPUT",
         plain(match(b"addrtype", u32("MOAT_A_ADDRTYPE_FLAGS", 1)))),
        ("a state match on DNAT", "filter", "INPUT",
         plain(match(b"state", u16("MOAT_A_CT_FLAGS", a("MOAT_CT_F_STATE")),
                     u16("MOAT_A_CT_STATE", a("MOAT_CT_STATE_DNAT"))))),
        ("a conntrack match on no state", "filter", "INPUT",
         plain(match(b"conntrack", u16("MOAT_A_CT_FLAGS", a("MOAT_CT_F_STATE")),
                     u16("MOAT_A_CT_STATE", 0)))),
        ("an address type iptables has no name for", "filter", "INPUT",
         plain(match(b"addrtype", u16("MOAT_A_ADDRTYPE_DEST", 1 << 12)))),
        ("a newline in a LOG prefix", "filter", "INPUT",
         ext_target(b"LOG", Attr(a("MOAT_A_LOG_PREFIX"), b"two\nlines\0"))),
        ("TCP flags past URG", "filter", "INPUT",
         plain(tcp, match(b"tcp", Attr(a("MOAT_A_PORTS_TCP_FLAGS_MASK"), b"\x40"),
                          Attr(a("MOAT_A_PORTS_TCP_FLAGS_CMP"), b"\x40")))),
        # What iptables' syntax cannot write, so moat-save could not either.
        ("an inverted TCP option 0", "filter", "INPUT",
         plain(tcp, match(b"tcp", u32("MOAT_A_PORTS_INV", a("MOAT_PORTS_INV_OPTION"))))),
        ("--random-fully in REDIRECT", "nat", "PREROUTING",
         ext_target(b"REDIRECT", u32("MOAT_A_NAT_FLAGS", a("MOAT_NAT_F_RANDOM_FULLY")))),
        ("a recent match on both sides", "filter", "INPUT",
         plain(match(b"recent", Attr(a("MOAT_A_RECENT_NAME"), b"fz\0"),
                     Attr(a("MOAT_A_RECENT_MODE"), bytes([a("MOAT_RECENT_CHECK")])),
                     Attr(a("MOAT_A_RECENT_FLAGS"), b"\3")))),
        ("a recent match on neither side", "filter", "INPUT",
         plain(match(b"recent", Attr(a("MOAT_A_RECENT_NAME"), b"fz\0"),
                     Attr(a("MOAT_A_RECENT_MODE"), bytes([a("MOAT_RECENT_CHECK")])),
                     Attr(a("MOAT_A_RECENT_FLAGS"), b"\0")))),
        ("white space in a recent list's name", "filter", "INPUT",
         plain(match(b"recent", Attr(a("MOAT_A_RECENT_NAME"), b"f z\0"),
                     Attr(a("MOAT_A_RECENT_MODE"), bytes([a("MOAT_RECENT_SET")]))))),
        ("a NOTRACK that does not untrack", "raw", "PREROUTING",
         ext_target(b"NOTRACK", u32("MOAT_A_CT_T_FLAGS", 0))),
        ("an icmp code range", "filter", "INPUT",
         plain(Attr(a("MOAT_A_RULE_PROTO"), struct.pack("=H", 1)),
               match(b"icmp", Attr(a("MOAT_A_ICMP_TYPE"), b"\3"),
                     Attr(a("MOAT_A_ICMP_CODE_MIN"), b"\1"), Attr(a("MOAT_A_ICMP_CODE_MAX"), b"\2")))),
        ("a connection status iptables has no name for", "filter", "INPUT",
         plain(match(b"conntrack", u16("MOAT_A_CT_FLAGS", a("MOAT_CT_F_STATUS")),
                     u32("MOAT_A_CT_STATUS", 1 << 4)))),
        ("a quote in an interface name", "filter", "INPUT",
         plain(Attr(a("MOAT_A_RULE_IIF"), b'a"b\0'))),
    ]
    for what, table, chain, r in refused:
        expect(A, "NEW_RULE", [T(table), C(chain), r], -errno.EINVAL, f"{what} is refused")
    limit = Attr(a("MOAT_A_LIMIT_AVG"), struct.pack("=I", 10000))
    out_of_range = [
        ("a limit of rate 0", match(b"limit", u32("MOAT_A_LIMIT_AVG", 0))),
        ("a limit under 1/day",
         match(b"limit", u32("MOAT_A_LIMIT_AVG", a("MOAT_LIMIT_SCALE") * 86400 + 1))),
        ("a limit burst over 10000",
         match(b"limit", limit, u32("MOAT_A_LIMIT_BURST", a("MOAT_LIMIT_BURST_MAX") + 1))),
        ("a probability over 1",
         match(b"statistic", u32("MOAT_A_STATISTIC_PROBABILITY", 0x80000001))),
        ("--every 2^32",
         match(b"statistic", Attr(a("MOAT_A_STATISTIC_MODE"), bytes([a("MOAT_STATISTIC_NTH")])),
               u32("MOAT_A_STATISTIC_EVERY", 0xffffffff))),
    ]
    for what, m in out_of_range:
        expect(A, "NEW_RULE", [T(), C("INPUT"), plain(m)], -errno.ERANGE, f"{what} is refused")
    for name in ["x" * 29, "-x", "!x", "a b", 'a"b', "ACCEPT", "RETURN", ""]:
        expect(A, "NEW_CHAIN", [T(), C(name)], -errno.EINVAL, f"a chain named {name!r} is refused")
    expect(A, "NEW_CHAIN", [T(), C("x" * 28)], 0, "a chain name of 28 characters")
    expect(A, "RENAME_CHAIN", [T(), C("x" * 28), C("-x", "MOAT_A_CHAIN_NEWNAME")], -errno.EINVAL,
           "a rename to '-x' is refused")
    expect(A, "DEL_CHAIN", [T(), C("x" * 28)], 0, "delete it")
    expect(A, "NEW_RULE", [T("nat"), C("PREROUTING"), plain(verdict=1)], 0, "an ACCEPT in nat")
    expect(A, "FLUSH", [T("nat")], 0, "flush nat")
    # As iptables-legacy-restore takes one from an unterminated quote.
    expect(A, "NEW_RULE", [T("filter"), C("INPUT"),
                           plain(match(b"comment", Attr(a("MOAT_A_COMMENT_TEXT"), b"two\nlines\0")))],
           0, "a newline in a comment")
    expect(A, "FLUSH", [T("filter")], 0, "flush filter")

    missing = set(COMMANDS) - done
    if missing:
        raise SmokeError("never succeeded: " + ", ".join(sorted(missing)))
    print(f"ok: every command succeeded once ({len(done)})")


class SmokeError(Exception):
    pass


def refused(fz):
    """Every command fails with EPERM: run by a caller without CAP_NET_ADMIN
    over the sockets' namespace (the module must check every operation,
    dumps too, whoever opened the socket)."""
    s = fz.socks[0]
    fz.strict = True
    for cmd in COMMANDS:
        got = fz.talk(s, cmd, fz.request(cmd, "filter"))
        if got != -errno.EPERM:
            have = "no answer" if got is None else os.strerror(-got) if got else "success"
            raise SmokeError(f"{cmd} without CAP_NET_ADMIN: {have}, want EPERM")
        print(f"ok: {cmd} refused")


def unshare_user():
    """Makes this process root of a new user namespace: all capabilities
    there, none over the namespaces it already has sockets in."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x10000000) != 0:      # CLONE_NEWUSER
        err = ctypes.get_errno()
        raise OSError(err, "unshare(CLONE_NEWUSER): " + os.strerror(err))


def rss_kb():
    """This process's resident memory, KiB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE") // 1024


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--time", type=float, default=60.0, help="seconds (default 60)")
    p.add_argument("--count", type=int, default=0, help="messages; 0: no limit")
    p.add_argument("--sockets", type=int, default=4)
    p.add_argument("--abi", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "../../../include/uapi/linux/moat.h"))
    p.add_argument("--smoke-only", action="store_true")
    p.add_argument("--no-smoke", action="store_true")
    p.add_argument("--leave", action="store_true", help="end with a ruleset in every table")
    p.add_argument("--refused", action="store_true",
                   help="only check that every command fails with EPERM")
    p.add_argument("--unshare-user", action="store_true",
                   help="once the sockets are open, become root of a new user namespace")
    p.add_argument("--verbose", action="store_true", help="the kernel's commonest messages too")
    args = p.parse_args()
    if args.sockets < 2:
        p.error("--sockets must be 2 or more")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    try:
        abi = Abi(args.abi)
        abi.check_coverage()
    except (OSError, KeyError, AbiError) as e:
        print(f"nlfuzz: {args.abi}: {e}", file=sys.stderr)
        return 2
    fz = Fuzzer(abi, random.Random(seed), args.sockets)
    print(f"nlfuzz: seed {seed}, family {fz.family}, {len(abi.cmds)} commands, "
          f"{len(MATCHES)} matches, {len(TARGETS)} targets", flush=True)
    try:
        if args.unshare_user:
            unshare_user()
        if args.refused:
            refused(fz)
            return 0
        if not args.no_smoke:
            smoke(fz)
        if args.smoke_only:
            return 0
        start = last = time.monotonic()
        base = fz.sent
        fz.seed_pool()
        while time.monotonic() - start < args.time and \
                (not args.count or fz.sent - base < args.count):
            fz.step()
            if time.monotonic() - last >= 10:
                last = time.monotonic()
                print(f"nlfuzz: seed {seed}: {fz.sent - base} messages, {len(fz.pending)} unanswered, "
                      f"{rss_kb()} KiB resident", flush=True)
        if args.leave:
            fz.leave_ruleset()
    except (SmokeError, ReplyError) as e:
        print(f"FAIL: nlfuzz seed {seed}: {e}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - start
    n = fz.sent - base
    print(f"nlfuzz: seed {seed}: {n} messages in {elapsed:.0f} s ({n / max(elapsed, 1e-9):.0f}/s), "
          f"{fz.dump_intr} interrupted dump parts, {rss_kb()} KiB resident")
    for cmd in sorted(fz.stats):
        st = fz.stats[cmd]
        print(f"  {cmd:13} " + " ".join(f"{k}={v}" for k, v in st.most_common()))
    if args.verbose:
        for msg, n in fz.extack.most_common(40):
            print(f"  {n:6}  {msg}")
    if fz.send_errors:
        print("  sendmsg/recv errors: " + " ".join(f"{k}={v}" for k, v in fz.send_errors.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
