#!/usr/bin/python3
"""udp-stream.py: a numbered UDP stream, to count every datagram lost.

  udp-stream.py send ADDR PORT COUNT RATE   COUNT datagrams to ADDR:PORT,
                                            RATE a second, each carrying its
                                            sequence number
  udp-stream.py recv PORT COUNT             receives until it has COUNT
                                            distinct sequence numbers or
                                            nothing came for 5 s (60 s for
                                            the first: the sender may be
                                            slow to start), then prints
                                            "received N of COUNT, lost M"
                                            (and the first lost ones) and
                                            exits 0 if none was lost

The receiver's buffer is forced to 16 MiB (SO_RCVBUFFORCE, root), so that a
busy CPU cannot make it overflow: what goes missing, a firewall dropped.
"""
import socket
import sys
import time

SO_RCVBUFFORCE = 33


def send(addr, port, count, rate):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.monotonic()
    for seq in range(count):
        # Paced against the clock, so a stall is caught up, not lost.
        ahead = start + seq / rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        s.sendto(b"%d\n" % seq, (addr, port))
    print(f"sent {count}")


def recv(port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    s.bind(("0.0.0.0", port))
    s.settimeout(60)
    seen = bytearray(count)
    got = 0
    try:
        while got < count:
            seq = int(s.recv(64))
            s.settimeout(5)
            if 0 <= seq < count and not seen[seq]:
                seen[seq] = 1
                got += 1
    except socket.timeout:
        pass
    lost = [i for i in range(count) if not seen[i]]
    print(f"received {got} of {count}, lost {len(lost)}" +
          (f": {lost[:10]}" if lost else ""))
    return 0 if not lost else 1


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "recv":
        return recv(int(sys.argv[2]), int(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
