#!/usr/bin/python3
"""Sends one hand-made TCP segment: tcp-segment.py SRC SPORT DST DPORT FLAGS SEQ ACK

The kernel adds the IP header; FLAGS is a string of S, A, F, R, P.
Used to inject segments that conntrack must judge (e.g. out of window).
"""
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def segment(src, sport, dst, dport, flags, seq, ack):
    bits = sum({"F": 1, "S": 2, "R": 4, "P": 8, "A": 16}[f] for f in flags)
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, bits,
                         65535, 0, 0)
    pseudo = struct.pack("!4s4sBBH", socket.inet_aton(src),
                         socket.inet_aton(dst), 0, socket.IPPROTO_TCP,
                         len(header))
    csum = checksum(pseudo + header)
    return header[:16] + struct.pack("!H", csum) + header[18:]


def main():
    src, sport, dst, dport, flags, seq, ack = sys.argv[1:8]
    data = segment(src, int(sport), dst, int(dport), flags, int(seq), int(ack))
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    sock.bind((src, 0))
    sock.sendto(data, (dst, 0))


if __name__ == "__main__":
    main()
