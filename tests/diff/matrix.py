"""The packet matrix: every flow the harness sends through each side's
router, the same for every corpus file. A flow is a name and its packets
in order; each packet leaves the client, the server or the router itself.

    client side               router 10.0.1.1 | 10.0.2.1           server side
    probes from 10.0.1.10-29  INPUT / FORWARD / OUTPUT           probes from 10.0.2.10-29

Probes use "ghost" addresses (client 10.0.1.10-29, server 10.0.2.10-29):
the router has permanent neighbour entries for them, so it delivers to
the client's or server's side of a veth link, where a packet socket sees
the frame and the kernel, which has no address there and does not
forward, drops it without answering. So the only packets that come back are the
ones the router makes: forwarded packets, REJECT's RSTs and ICMP errors,
and its own stack's answers to what reaches INPUT (RST from a closed TCP
port, ICMP port unreachable, echo reply). Every field of every packet is
fixed (IP ID, TCP sequence numbers, payloads), so both sides see the
same bytes and conntrack judges them the same.

Answers (reply_to) go to where their request was delivered from, after
any NAT (Side.send()).

Rules that depend on time or chance stay deterministic here: a limit
burst is never refilled at the rates the corpus uses (per minute, hour
or day), recent's windows are minutes long, statistic random uses
probability 0 or 1 only.
"""
from packets import (ethernet, icmp_message, ip_header, tcp_segment,
                     udp_datagram)

CLIENT_MAC = "02:00:00:00:01:02"
ROUTER_CLIENT_MAC = "02:00:00:00:01:01"
ROUTER_SERVER_MAC = "02:00:00:00:02:01"
SERVER_MAC = "02:00:00:00:02:02"
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
OTHER_MAC = "02:00:00:00:99:99"
R1, R2 = "10.0.1.1", "10.0.2.1"
ROUTER_ADDRS = (R1, R2)
GHOSTS = range(10, 30)


def C(n):
    return f"10.0.1.{n}"


def S(n):
    return f"10.0.2.{n}"


class Packet:
    """One packet to send: @origin is client, server or router; for the
    router, @uid, @gid and @mark are those of the sending socket. An
    answer names the request it answers (@reply_to): it is sent to
    wherever that request was delivered from, as seen on arrival (after
    NAT), see Side.send()."""

    def __init__(self, origin, ip, dst_mac=None, src_mac=None,
                 uid=0, gid=0, mark=0, reply_to=None):
        self.origin, self.ip, self.reply_to = origin, ip, reply_to
        self.uid, self.gid, self.mark = uid, gid, mark
        if origin == "client":
            self.frame = ethernet(dst_mac or ROUTER_CLIENT_MAC,
                                  src_mac or CLIENT_MAC, ip)
        elif origin == "server":
            self.frame = ethernet(dst_mac or ROUTER_SERVER_MAC,
                                  src_mac or SERVER_MAC, ip)
        else:
            self.frame = None

    @property
    def dst(self):
        return ".".join(str(b) for b in self.ip[16:20])


class Builder:
    """Makes packets with IP IDs numbered in sending order."""

    def __init__(self):
        self.ident = 1000
        self.flows = []

    def flow(self, name, *packets):
        self.flows.append((name, list(packets)))

    def _ip(self, src, dst, proto, l4, ip):
        self.ident += 1
        hdr = ip_header(src, dst, proto, len(l4), ident=self.ident,
                        **{k: v for k, v in ip.items()
                           if k in ("ttl", "tos", "frag", "mf", "df", "options")})
        return hdr + l4

    @staticmethod
    def _link(ip):
        return {k: v for k, v in ip.items()
                if k in ("dst_mac", "src_mac", "uid", "gid", "mark", "reply_to")}

    def tcp(self, origin, src, dst, sport, dport, flags="S", seq=1000, ack=0,
            payload=b"", options=b"", **ip):
        l4 = tcp_segment(src, dst, sport, dport, flags, seq, ack,
                         options=options, payload=payload)
        return Packet(origin, self._ip(src, dst, 6, l4, ip), **self._link(ip))

    def udp(self, origin, src, dst, sport, dport, payload=b"x", **ip):
        l4 = udp_datagram(src, dst, sport, dport, payload)
        return Packet(origin, self._ip(src, dst, 17, l4, ip), **self._link(ip))

    def icmp(self, origin, src, dst, icmp_type, code=0, rest=b"\0\0\0\0",
             payload=b"", **ip):
        l4 = icmp_message(icmp_type, code, rest, payload)
        return Packet(origin, self._ip(src, dst, 1, l4, ip), **self._link(ip))

    def echo(self, origin, src, dst, ident, seq=1, reply=False, **ip):
        rest = ident.to_bytes(2, "big") + seq.to_bytes(2, "big")
        return self.icmp(origin, src, dst, 0 if reply else 8, 0, rest,
                         b"moat-diff-echo..", **ip)

    def raw(self, origin, src, dst, proto, payload=b"\0" * 8, **ip):
        return Packet(origin, self._ip(src, dst, proto, payload, ip), **self._link(ip))

    def fragments(self, origin, src, dst, sport, dport, size=64, **ip):
        """A UDP datagram in two fragments, first then second."""
        l4 = udp_datagram(src, dst, sport, dport, b"f" * size)
        self.ident += 1
        first = ip_header(src, dst, 17, 16, ident=self.ident, mf=True) + l4[:16]
        second = ip_header(src, dst, 17, len(l4) - 16, ident=self.ident,
                           frag=16) + l4[16:]
        return [Packet(origin, first, **self._link(ip)),
                Packet(origin, second, **self._link(ip))]


MSS_WS_SACK_TS = (bytes.fromhex("020405b4") + bytes.fromhex("01030307")
                  + bytes.fromhex("0402") + bytes.fromhex("080a0000000100000000")
                  + b"\0\0")


def tcp_session(b, sport, dport, src=C(10), dst=S(10)):
    """A whole TCP connection through the router with sequence numbers
    conntrack accepts: handshake, 100 bytes, a close from each side."""
    cs, ss = 100000, 500000
    syn = b.tcp("client", src, dst, sport, dport, "S", cs, 0)
    return [
        syn,
        b.tcp("server", dst, src, dport, sport, "SA", ss, cs + 1, reply_to=syn),
        b.tcp("client", src, dst, sport, dport, "A", cs + 1, ss + 1),
        b.tcp("client", src, dst, sport, dport, "PA", cs + 1, ss + 1, b"d" * 100),
        b.tcp("server", dst, src, dport, sport, "A", ss + 1, cs + 101, reply_to=syn),
        b.tcp("client", src, dst, sport, dport, "FA", cs + 101, ss + 1),
        b.tcp("server", dst, src, dport, sport, "FA", ss + 1, cs + 102, reply_to=syn),
        b.tcp("client", src, dst, sport, dport, "A", cs + 102, ss + 2),
    ]


def icmp_quote(ip_packet):
    """The part of @ip_packet an ICMP error quotes: header and 8 bytes."""
    ihl = (ip_packet[0] & 15) * 4
    return ip_packet[:ihl + 8]


def build():
    b = Builder()
    f = b.flow

    # --- FORWARD, client to server: TCP -----------------------------------
    f("fwd-tcp-session-80", *tcp_session(b, 40001, 80))
    f("fwd-tcp-session-22", *tcp_session(b, 40002, 22, src=C(11), dst=S(11)))
    f("fwd-tcp-syn-443", b.tcp("client", C(10), S(10), 40003, 443))
    f("fwd-tcp-syn-8080-options", b.tcp("client", C(12), S(12), 40004, 8080,
                                        options=MSS_WS_SACK_TS))
    f("fwd-tcp-syn-25-src13", b.tcp("client", C(13), S(10), 40005, 25))
    f("fwd-tcp-syn-from-53", b.tcp("client", C(10), S(10), 53, 40006))
    f("fwd-tcp-syn-1023", b.tcp("client", C(10), S(10), 40007, 1023))
    f("fwd-tcp-syn-6000", b.tcp("client", C(14), S(10), 40008, 6000))
    f("fwd-tcp-ack-alone", b.tcp("client", C(10), S(10), 40009, 80, "A", 7, 9))
    f("fwd-tcp-syn-fin", b.tcp("client", C(10), S(10), 40010, 80, "SF"))
    f("fwd-tcp-xmas", b.tcp("client", C(10), S(10), 40011, 80, "FPU"))
    f("fwd-tcp-null", b.tcp("client", C(10), S(10), 40012, 80, ""))
    f("fwd-tcp-rst-alone", b.tcp("client", C(10), S(10), 40013, 80, "R", 5))
    f("fwd-tcp-syn-ack-unsolicited", b.tcp("client", C(10), S(10), 40014, 80, "SA", 5, 6))

    # --- FORWARD, client to server: UDP -----------------------------------
    query = b.udp("client", C(10), S(10), 40101, 53, b"query")
    f("fwd-udp-53-reply", query,
      b.udp("server", S(10), C(10), 53, 40101, b"answer...", reply_to=query))
    f("fwd-udp-123-big", b.udp("client", C(13), S(13), 40102, 123, b"n" * 200))
    for port in (5001, 5003, 5004, 5010):
        f(f"fwd-udp-{port}", b.udp("client", C(10), S(10), 40100 + port % 100, port))
    f("fwd-udp-from-53", b.udp("client", C(10), S(10), 53, 33000))
    f("fwd-udp-from-137", b.udp("client", C(15), S(10), 137, 137))
    probe = b.udp("client", C(10), S(10), 40110, 9999)
    as_seen = probe.ip[:8] + bytes([63]) + probe.ip[9:]     # TTL one less
    f("fwd-udp-related-icmp", probe,
      b.icmp("server", S(10), C(10), 3, 3, payload=icmp_quote(as_seen), reply_to=probe))
    for n, size in (("0", 0), ("1", 1), ("500", 500), ("1400", 1400)):
        f(f"fwd-udp-payload-{n}", b.udp("client", C(16), S(10), 40120 + size % 97, 7000, b"p" * size))
    f("fwd-udp-fragments", *b.fragments("client", C(10), S(10), 40130, 7001))

    # --- FORWARD: ICMP ------------------------------------------------------
    ping = b.echo("client", C(10), S(10), 7001)
    f("fwd-icmp-echo", ping, b.echo("server", S(10), C(10), 7001, reply=True, reply_to=ping))
    f("fwd-icmp-echo-src17", b.echo("client", C(17), S(10), 7002))
    f("fwd-icmp-timestamp", b.icmp("client", C(10), S(10), 13, 0, b"\x1b\x5c\0\1", b"\0" * 12))
    f("fwd-icmp-unreach-alone", b.icmp("client", C(10), S(10), 3, 1,
                                       payload=ip_header(S(10), C(20), 17, 8) + b"\x9c\x41\x00\x35\x00\x08\x00\x00"))
    f("fwd-icmp-redirect", b.icmp("client", C(10), S(10), 5, 1, b"\x0a\x00\x01\x01",
                                  ip_header(S(10), C(20), 17, 8) + b"\0" * 8))

    # --- FORWARD: IP header fields -----------------------------------------
    for ttl in (1, 2, 5, 65, 200):
        f(f"fwd-udp-ttl-{ttl}", b.udp("client", C(18), S(10), 40200 + ttl, 7002, ttl=ttl))
    for tos in (0x10, 0x08, 0x04, 0x02, 0x28, 0xb8, 0x88):
        f(f"fwd-udp-tos-{tos:02x}", b.udp("client", C(19), S(10), 40300 + tos, 7003, tos=tos))
    f("fwd-udp-df", b.udp("client", C(10), S(10), 40401, 7004, df=True))
    f("fwd-udp-other-mac", b.udp("client", C(20), S(10), 40402, 7005, src_mac=OTHER_MAC))
    f("fwd-gre", b.raw("client", C(10), S(10), 47))
    f("fwd-proto-200", b.raw("client", C(10), S(10), 200, b"\1" * 20))
    f("fwd-udp-ipopt-nop", b.udp("client", C(10), S(10), 40403, 7006,
                                 options=bytes.fromhex("01010100")))

    # --- FORWARD, server to client ---------------------------------------
    f("rev-tcp-syn-22", b.tcp("server", S(12), C(10), 40501, 22))
    f("rev-udp-53", b.udp("server", S(12), C(10), 40502, 53))
    f("rev-icmp-echo", b.echo("server", S(12), C(10), 7003))

    # --- repeats: recent, statistic, limit -------------------------------
    for i in range(6):
        f(f"fwd-udp-6100-repeat{i}", b.udp("client", C(21), S(10), 40600 + i, 6100))
    for i in range(5):
        f(f"fwd-icmp-echo-burst{i}", b.echo("client", C(22), S(10), 7100 + i))
    for i in range(4):
        f(f"fwd-tcp-syn-2222-again{i}", b.tcp("client", C(23), S(10), 40700 + i, 2222))

    # --- INPUT: to the router itself ---------------------------------------
    f("in-tcp-syn-22", b.tcp("client", C(10), R1, 40801, 22))
    f("in-tcp-syn-80", b.tcp("client", C(11), R1, 40802, 80))
    f("in-tcp-syn-8443-options", b.tcp("client", C(10), R1, 40803, 8443, options=MSS_WS_SACK_TS))
    f("in-udp-53-socket", b.udp("client", C(10), R1, 40804, 53, b"to the sink"))
    f("in-udp-161-closed", b.udp("client", C(12), R1, 40805, 161))
    f("in-icmp-echo", b.echo("client", C(10), R1, 7201))
    f("in-icmp-echo-ttl1", b.echo("client", C(13), R1, 7202, ttl=1))
    f("in-udp-to-other-side-addr", b.udp("client", C(10), R2, 40806, 53))
    f("in-udp-broadcast", b.udp("client", C(10), "10.0.1.255", 40807, 67,
                                dst_mac=BROADCAST_MAC))
    f("in-udp-multicast", b.udp("client", C(10), "224.0.0.1", 40808, 5353,
                                dst_mac="01:00:5e:00:00:01"))
    f("in-udp-from-server-53", b.udp("server", S(10), R2, 40809, 53))
    f("in-tcp-from-server-22", b.tcp("server", S(10), R2, 40810, 22))
    f("in-udp-other-mac", b.udp("client", C(20), R1, 40811, 53, src_mac=OTHER_MAC))
    f("in-udp-tos-10", b.udp("client", C(19), R1, 40812, 161, tos=0x10))

    # --- OUTPUT: from the router ------------------------------------------
    f("out-udp-to-client", b.udp("router", R1, C(10), 40901, 5353))
    f("out-udp-to-server-53", b.udp("router", R2, S(10), 40902, 53))
    f("out-udp-uid-1000", b.udp("router", R1, C(10), 40903, 5353, uid=1000, gid=1000))
    f("out-udp-uid-65534", b.udp("router", R1, C(10), 40904, 5353, uid=65534, gid=65534))
    f("out-udp-mark-1", b.udp("router", R1, C(10), 40905, 5353, mark=1))
    f("out-udp-mark-0x10", b.udp("router", R1, C(10), 40906, 5353, mark=0x10))
    f("out-udp-mark-0x1234", b.udp("router", R1, C(10), 40907, 5353, mark=0x1234))
    f("out-udp-tos-ttl", b.udp("router", R1, C(11), 40908, 514, tos=0x10, ttl=3))
    f("out-tcp-syn-443", b.tcp("router", R2, S(10), 40909, 443))
    f("out-tcp-syn-22-uid-1000", b.tcp("router", R2, S(11), 40910, 22, uid=1000, gid=1000))
    ping = b.echo("router", R2, S(10), 7301)
    f("out-icmp-echo", ping, b.echo("server", S(10), R2, 7301, reply=True, reply_to=ping))
    f("out-udp-broadcast", b.udp("router", R1, "10.0.1.255", 40911, 68))
    ntp = b.udp("router", R1, C(12), 40912, 123)
    f("out-udp-session", ntp, b.udp("client", C(12), R1, 123, 40912, b"ntp answer", reply_to=ntp))
    return b.flows
