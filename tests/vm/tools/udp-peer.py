#!/usr/bin/python3
"""udp-peer.py PORT [FILE]: answer every datagram to PORT with "ADDR PORT"
of its sender, as the server saw it; with FILE, append that line there
instead of answering."""
import socket
import sys

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    _, (addr, port) = s.recvfrom(2048)
    line = f"{addr} {port}\n"
    if len(sys.argv) > 2:
        with open(sys.argv[2], "a") as f:
            f.write(line)
    else:
        s.sendto(line.encode(), (addr, port))
