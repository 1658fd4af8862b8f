"""Packets for the differential harness: build IPv4 frames byte by byte
(no scapy), and turn captured frames back into one comparable line each.

A line keeps every field a firewall can change or a verdict shows: the
addresses and ports as delivered (so NAT shows), TTL, TOS, length, the
TCP flags, sequence and acknowledgment numbers, ICMP type and code, and
for an ICMP error the header it quotes. It leaves out what the kernel
makes up anew on each run: checksums, and the IP ID of packets the router
itself builds (RSTs, ICMP errors, echo replies).
"""
import socket
import struct

ETH_P_IP = 0x0800
TCP_FLAGS = "FSRPAUEC"          # bit 0 (FIN) to bit 7 (CWR)
PROTO_NAMES = {1: "icmp", 6: "tcp", 17: "udp", 47: "gre"}


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac_bytes(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def flag_bits(flags):
    return sum(1 << TCP_FLAGS.index(f) for f in flags)


def flag_str(bits):
    return "".join(f for i, f in enumerate(TCP_FLAGS) if bits & (1 << i)) or "none"


def ip_header(src, dst, proto, payload_len, ttl=64, tos=0, ident=1,
              frag=0, mf=False, df=False, options=b""):
    ihl = 5 + len(options) // 4
    flags = (0x4000 if df else 0) | (0x2000 if mf else 0) | (frag // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos,
                      ihl * 4 + payload_len, ident, flags, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst)) + options
    return hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]


def l4_checksum(src, dst, proto, seg):
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, proto, len(seg))
    return checksum(pseudo + seg)


def tcp_segment(src, dst, sport, dport, flags, seq=0, ack=0, win=64240,
                options=b"", payload=b""):
    off = (20 + len(options)) // 4
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4,
                      flag_bits(flags), win, 0, 0) + options + payload
    csum = l4_checksum(src, dst, 6, seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def udp_datagram(src, dst, sport, dport, payload=b""):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    csum = l4_checksum(src, dst, 17, seg) or 0xFFFF
    return seg[:6] + struct.pack("!H", csum) + seg[8:]


def icmp_message(icmp_type, code, rest=b"\0\0\0\0", payload=b""):
    msg = struct.pack("!BBH", icmp_type, code, 0) + rest + payload
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def ethernet(dst_mac, src_mac, ip_packet):
    return mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", ETH_P_IP) + ip_packet


# --- parsing --------------------------------------------------------------

def describe_l4(proto, data, full=True):
    """The transport part of a summary line; @full is False for the few
    bytes an ICMP error quotes."""
    if proto == 6 and len(data) >= 14:
        sport, dport, seq, ack, off, bits = struct.unpack("!HHIIBB", data[:14])
        s = f"tcp {sport} > {dport} [{flag_str(bits)}] seq {seq}"
        if bits & 0x10:
            s += f" ack {ack}"
        if full and len(data) >= 20:
            win = struct.unpack("!H", data[14:16])[0]
            hl = (off >> 4) * 4
            s += f" win {win} opt {data[20:hl].hex() or '-'} data {len(data) - hl}"
        return s
    if proto == 17 and len(data) >= 8:
        sport, dport, length = struct.unpack("!HHH", data[:6])
        return f"udp {sport} > {dport} len {length}"
    if proto == 1 and len(data) >= 4:
        t, c = data[0], data[1]
        s = f"icmp {t}/{c}"
        if t in (0, 8, 13, 14) and len(data) >= 8:
            ident, seq = struct.unpack("!HH", data[4:8])
            s += f" id {ident} seq {seq}"
            if full:
                s += f" data {len(data) - 8}"
        elif t in (3, 4, 5, 11, 12) and len(data) >= 28:
            s += " quoting [" + describe_ip(data[8:], quoted=True) + "]"
        return s
    return f"proto {proto} data {len(data)}"


def describe_ip(pkt, quoted=False, keep_id=True):
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return "not IPv4: " + pkt[:20].hex()
    ihl = (pkt[0] & 15) * 4
    tos, total, ident, frag, ttl, proto = struct.unpack("!xBHHHBB", pkt[:10])
    src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    s = f"{src} > {dst} ttl {ttl}"
    if tos:
        s += f" tos 0x{tos:02x}"
    s += f" len {total}"
    if keep_id:
        s += f" id {ident}"
    if frag & 0x4000:
        s += " DF"
    if frag & 0x2000:
        s += " MF"
    if frag & 0x1FFF:
        s += f" frag {(frag & 0x1FFF) * 8}"
    if ihl > 20:
        s += f" ipopt {pkt[20:ihl].hex()}"
    if frag & 0x1FFF:
        return s + f" {PROTO_NAMES.get(proto, proto)} data {len(pkt) - ihl}"
    end = len(pkt) if quoted else min(len(pkt), total)
    return s + ": " + describe_l4(proto, pkt[ihl:end], full=not quoted)


def describe_frame(frame, own_addrs):
    """One line for a captured Ethernet frame, or None if not IPv4. The IP
    ID of packets from @own_addrs (the router's) is left out."""
    if len(frame) < 34 or struct.unpack("!H", frame[12:14])[0] != ETH_P_IP:
        return None
    src = socket.inet_ntoa(frame[26:30])
    return (f"{mac_str(frame[6:12])} > {mac_str(frame[0:6])} "
            + describe_ip(frame[14:], keep_id=src not in own_addrs))


def flow_key(frame):
    """What ties a captured frame to the probe that caused it: the ports
    (or ICMP id) of the packet, or of the packet an ICMP error quotes."""
    pkt = frame[14:]
    if len(pkt) < 20:
        return None
    ihl = (pkt[0] & 15) * 4
    proto = pkt[9]
    l4 = pkt[ihl:]
    if proto == 1 and len(l4) >= 8:
        if l4[0] in (3, 4, 5, 11, 12) and len(l4) >= 28:
            inner = l4[8:]
            iihl = (inner[0] & 15) * 4
            return _l4_key(inner[9], inner[iihl:])
        return _l4_key(1, l4)
    return _l4_key(proto, l4)


def _l4_key(proto, l4):
    if proto in (6, 17) and len(l4) >= 4:
        return (proto, frozenset(struct.unpack("!HH", l4[:4])))
    if proto == 1 and len(l4) >= 8:
        return (1, struct.unpack("!H", l4[4:6])[0])
    return None


def ip_ident(pkt):
    return struct.unpack("!H", pkt[4:6])[0]


def answer_to(template, request):
    """@template, an IP packet answering a request as it was sent, made to
    answer @request as it was delivered (after any NAT): addresses and
    ports (or ICMP echo id) swapped from it, the quote of an ICMP error
    replaced by its header and first 8 bytes; checksums recomputed."""
    pkt = bytearray(template)
    ihl, rihl = (pkt[0] & 15) * 4, (request[0] & 15) * 4
    pkt[12:16], pkt[16:20] = request[16:20], request[12:16]
    proto = pkt[9]
    l4 = bytearray(pkt[ihl:])
    if proto in (6, 17) and request[9] == proto:
        l4[0:2], l4[2:4] = request[rihl + 2:rihl + 4], request[rihl:rihl + 2]
    elif proto == 1 and l4[0] == 0 and request[9] == 1:
        l4[4:6] = request[rihl + 4:rihl + 6]
    elif proto == 1 and l4[0] in (3, 11):
        l4 = l4[:8] + request[:rihl + 8]
    pkt = pkt[:ihl] + l4
    pkt[2:4] = struct.pack("!H", len(pkt))
    pkt[10:12] = b"\0\0"
    pkt[10:12] = struct.pack("!H", checksum(bytes(pkt[:ihl])))
    src, dst = socket.inet_ntoa(bytes(pkt[12:16])), socket.inet_ntoa(bytes(pkt[16:20]))
    seg = bytearray(pkt[ihl:])
    if proto == 6:
        seg[16:18] = b"\0\0"
        seg[16:18] = struct.pack("!H", l4_checksum(src, dst, 6, bytes(seg)))
    elif proto == 17:
        seg[6:8] = b"\0\0"
        seg[6:8] = struct.pack("!H", l4_checksum(src, dst, 17, bytes(seg)) or 0xFFFF)
    elif proto == 1:
        seg[2:4] = b"\0\0"
        seg[2:4] = struct.pack("!H", checksum(bytes(seg)))
    return bytes(pkt[:ihl] + seg)
