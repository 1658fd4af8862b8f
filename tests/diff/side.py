"""One side of the comparison: a router namespace, the firewall under
test, between two veth links whose far ends live in a namespace shared by
both sides (ENDS), where packet sockets send the probes and see what
comes out.

    ENDS (dE)                        PFX-rtr                       ENDS (dE)
    a-cli / b-cli ------- to-client [ ruleset ] to-server ------- a-srv / b-srv
    sends probes,         10.0.1.1   UDP socket :53   10.0.2.1     sends replies,
    sees what comes back             raw sockets (OUTPUT)          sees what is delivered

Both routers are built identically (names, MACs, addresses), so rules
that name interfaces or addresses mean the same on both. The far ends
have no addresses: nothing there answers anything.

One process does everything: it enters a namespace with setns() to make
a socket there, and the socket stays in that namespace. It runs pinned to
one CPU, so every frame it sends, and every frame the router sends on
because of it, goes through that CPU's receive backlog, first in first
out. Only the router's own packets skip the queue: they go through
OUTPUT at once, in the sending process. So before each of those, and at
the end, it sends a fence frame across a veth pair of its own (Fence) and
waits for it: when the fence has come through the backlog, so has
everything queued before it, and whatever the router made of it. So the
router handles packets one at a time in the order of the matrix, and
each place sees them in the same order on both sides, however late the
kernel gets round to its backlog.
"""
import ctypes
import os
import select
import socket
import struct
import subprocess
import time

import matrix
from packets import answer_to, describe_frame, flow_key, mac_str

CLONE_NEWNET = 0x40000000
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
SO_MARK = 36
_libc = ctypes.CDLL(None, use_errno=True)
_root_ns = os.open("/proc/self/ns/net", os.O_RDONLY)


MS_BIND = 0x1000
MNT_DETACH = 2
ENDS = "dE"


def netns_add(name, sysctls=()):
    """A named network namespace like "ip netns add" makes, without
    running it; @sysctls are set in it before anything else."""
    path = f"/run/netns/{name}"
    os.makedirs("/run/netns", exist_ok=True)
    if os.path.exists(path):
        netns_delete(name)
    open(path, "w").close()
    if _libc.unshare(CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "unshare")
    try:
        for k, v in sysctls:
            sysctl(k, v)
        if _libc.mount(b"/proc/thread-self/ns/net", path.encode(), None, MS_BIND, None):
            raise OSError(ctypes.get_errno(), f"mount {path}")
    finally:
        if _libc.setns(_root_ns, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")


def netns_delete(name):
    path = f"/run/netns/{name}"
    _libc.umount2(path.encode(), MNT_DETACH)
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


NO_IPV6 = (("net.ipv6.conf.all.disable_ipv6", 1), ("net.ipv6.conf.default.disable_ipv6", 1))


class Netns:
    """with Netns(name): the calling (single-threaded) process is in it."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if _libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), f"setns {self.name}")
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        if _libc.setns(_root_ns, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")


def sysctl(name, value):
    with open("/proc/sys/" + name.replace(".", "/"), "w") as f:
        f.write(str(value))


def ip_batch(ns, lines):
    subprocess.run(["ip", "-n", ns, "-batch", "-"], input="\n".join(lines) + "\n",
                   text=True, check=True)


class OneCpu:
    """with OneCpu(): the calling thread runs on one CPU only."""

    def __enter__(self):
        self.saved = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(self.saved)})

    def __exit__(self, *exc):
        os.sched_setaffinity(0, self.saved)


class Fence:
    """A veth pair in the harness's own namespace for fence frames."""
    ETHERTYPE = 0x88B5          # IEEE local experimental

    def __init__(self, name="dfence"):
        self.a, self.b = name + "0", name + "1"
        subprocess.run(["ip", "link", "del", self.a], stderr=subprocess.DEVNULL)
        subprocess.run(["ip", "link", "add", self.a, "type", "veth", "peer", "name", self.b],
                       check=True)
        for d in (self.a, self.b):
            with open(f"/proc/sys/net/ipv6/conf/{d}/disable_ipv6", "w") as f:
                f.write("1")
            subprocess.run(["ip", "link", "set", d, "up"], check=True)
        self.tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.tx.bind((self.a, 0))
        self.rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(self.ETHERTYPE))
        self.rx.bind((self.b, self.ETHERTYPE))
        self.seq = 0

    def wait(self, limit=5.0):
        """Returns once every frame sent before this call has been received
        (and handled) by its destination."""
        self.seq += 1
        tag = struct.pack("!I", self.seq)
        self.tx.send(b"\xff" * 6 + b"\x02" + b"\0" * 5
                     + struct.pack("!H", self.ETHERTYPE) + tag + b"\0" * 42)
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.rx], [], [], deadline - time.monotonic())
            if r and self.rx.recv(100)[14:18] == tag:
                return
        raise RuntimeError(f"fence {self.seq} lost")

    def close(self):
        self.tx.close()
        self.rx.close()
        subprocess.run(["ip", "link", "del", self.a], stderr=subprocess.DEVNULL)


class Side:
    serial = 0

    def __init__(self, prefix):
        # The far ends get names of their own each time: a deleted
        # namespace takes its veth links with it only some time later.
        Side.serial += 1
        self.prefix = f"{prefix}{Side.serial}"
        self.rtr = f"d{prefix.upper()}-rtr"
        self.spare = f"d{prefix.upper()}-spare"
        self.socks = []
        self.raw = {}

    @staticmethod
    def create_ends():
        netns_add(ENDS, NO_IPV6)

    def create(self):
        m = matrix
        netns_add(self.rtr, NO_IPV6 + (
            ("net.ipv4.ip_forward", 1), ("net.ipv4.icmp_ratelimit", 0),
            ("net.ipv4.icmp_ratemask", 0), ("net.ipv4.icmp_echo_ignore_broadcasts", 1)))
        netns_add(self.spare)
        p = self.prefix
        ip_batch(self.rtr, [
            f"link add to-client address {m.ROUTER_CLIENT_MAC} type veth peer name "
            f"{p}-cli netns {ENDS} address {m.CLIENT_MAC}",
            f"link add to-server address {m.ROUTER_SERVER_MAC} type veth peer name "
            f"{p}-srv netns {ENDS} address {m.SERVER_MAC}",
            "addr add 10.0.1.1/24 brd + dev to-client",
            "addr add 10.0.2.1/24 brd + dev to-server",
            "link set lo up", "link set to-client up", "link set to-server up",
        ] + [f"neigh replace {m.C(n)} lladdr {m.CLIENT_MAC} dev to-client nud permanent"
             for n in m.GHOSTS]
          + [f"neigh replace {m.S(n)} lladdr {m.SERVER_MAC} dev to-server nud permanent"
             for n in m.GHOSTS])
        ip_batch(ENDS, [f"link set {p}-cli up", f"link set {p}-srv up"])
        with Netns(ENDS):
            self.cap_cli = self._packet_socket(f"{p}-cli")
            self.cap_srv = self._packet_socket(f"{p}-srv")
        with Netns(self.rtr):
            self.sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.sink.bind(("0.0.0.0", 53))
            self.sink.setblocking(False)
        self.socks += [self.cap_cli, self.cap_srv, self.sink]

    @staticmethod
    def _packet_socket(dev):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind((dev, ETH_P_ALL))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setblocking(False)
        return s

    def _raw_socket(self, uid, gid, mark):
        """A raw IPv4 socket in the router owned (for -m owner) by uid/gid."""
        key = (uid, gid, mark)
        if key not in self.raw:
            with Netns(self.rtr):
                _libc.setfsgid(gid)
                _libc.setfsuid(uid)
                try:
                    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
                finally:
                    _libc.setfsuid(0)
                    _libc.setfsgid(0)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
                if mark:
                    s.setsockopt(socket.SOL_SOCKET, SO_MARK, mark)
            self.raw[key] = s
            self.socks.append(s)
        return self.raw[key]

    def close(self):
        for s in self.socks:
            s.close()
        self.socks, self.raw = [], {}

    def delete(self):
        """Goes with its router namespace, and so do both veth links."""
        self.close()
        netns_delete(self.rtr)
        netns_delete(self.spare)

    # --- traffic ------------------------------------------------------------

    def send(self, pkt, fence, log):
        if pkt.reply_to is not None and pkt.origin in ("client", "server"):
            pkt = self._answer(pkt, fence, log)
        if pkt.origin == "client":
            self.cap_cli.send(pkt.frame)
        elif pkt.origin == "server":
            self.cap_srv.send(pkt.frame)
        else:
            try:
                self._raw_socket(pkt.uid, pkt.gid, pkt.mark).sendto(pkt.ip, (pkt.dst, 0))
            except OSError as e:        # an OUTPUT DROP says EPERM
                return f"send: {e.strerror}"
        return None

    def _answer(self, pkt, fence, log):
        """@pkt readdressed to answer its request as delivered here (NAT
        may have changed it); as built if the request never came."""
        fence.wait()
        self.drain(log)
        req = pkt.reply_to.ip
        for where, _, _, frame in reversed(log):
            # NAT changes neither the IP ID, nor the length, nor the protocol.
            if where == pkt.origin and frame is not None and frame[14 + 4:14 + 6] == req[4:6] \
                    and frame[14 + 2:14 + 4] == req[2:4] and frame[14 + 9] == req[9]:
                ip = answer_to(pkt.ip, frame[14:])
                return matrix.Packet(pkt.origin, ip, dst_mac=mac_str(pkt.frame[0:6]),
                                     src_mac=mac_str(pkt.frame[6:12]))
        return pkt

    def drain(self, log):
        """Read whatever the sockets have; True if anything came."""
        got = False
        for where, s in (("client", self.cap_cli), ("server", self.cap_srv)):
            while True:
                try:
                    frame, addr = s.recvfrom(65535)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                line = describe_frame(frame, matrix.ROUTER_ADDRS)
                if line:
                    log.append((where, flow_key(frame), line, frame))
                    got = True
        while True:
            try:
                data, (addr, port) = self.sink.recvfrom(65535)
            except BlockingIOError:
                break
            log.append(("router:53", (17, frozenset((port, 53))),
                        f"socket got {len(data)} bytes from {addr}:{port}", None))
            got = True
        return got

    def run_matrix(self, flows, fence, settle=0.1, limit=10.0):
        """Sends every flow; returns [(where, flow key, line)] in the order
        seen, plus send errors, once nothing more has come for @settle s."""
        with OneCpu():
            return self._run_matrix(flows, fence, settle, limit)

    def _run_matrix(self, flows, fence, settle, limit):
        log = []
        self.drain([])
        for name, packets in flows:
            for pkt in packets:
                if pkt.origin == "router":
                    fence.wait()
                err = self.send(pkt, fence, log)
                if err:
                    log.append(("router", ("flow", name), err, None))
        fence.wait()
        deadline = time.monotonic() + limit
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            select.select([self.cap_cli, self.cap_srv, self.sink], [], [], settle / 3)
            if self.drain(log):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                break
        return log
