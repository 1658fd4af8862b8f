#!/bin/bash
# The matches of real rulesets on real traffic, each counted exactly:
# multiport, iprange, addrtype, mac, length, ttl, tos, dscp, mark, comment,
# limit, statistic and recent.
#
#   +--------+ 10.0.1.2          10.0.1.1 +--------+
#   | client |----------- veth -----------| server |
#   +--------+ to-server         to-client +--------+
#   OUTPUT rules (mark)              INPUT rules (the rest)
# vm-timeout: 300
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping socat ss
need_moat

mkhost client
mkhost server
link client server 10.0.1.2/24 10.0.1.1/24
ip -n client link set to-server address 02:00:00:00:00:02
# Broadcast addresses, for addrtype's BROADCAST.
ip -n client addr change 10.0.1.2/24 brd + dev to-server
ip -n server addr change 10.0.1.1/24 brd + dev to-client

# counters NS CHAIN N: "packets bytes" of rule N.
counters() {
	ns "$1" moat -L "$2" -v -x -n | awk -v n="$3" 'NR == n + 2 { print $1, $2 }'
}
pkts() { counters "$@" | cut -d' ' -f1; }

# udp_to PORT [COUNT [PAYLOAD]]: COUNT datagrams from the client, one
# process, so that hundreds take no time.
udp_to() {
	ns client bash -c 'for ((i = 0; i < $2; i++)); do
		printf %s "$3" > /dev/udp/10.0.1.1/$1; done' - "$1" "${2:-1}" "${3:-x}"
}

reset() { ns server moat -F; ns client moat -F; }

# --- multiport ----------------------------------------------------------
ns server moat -A INPUT -p udp -m multiport --dports 5001,5003:5004
ns server moat -A INPUT -p udp -m multiport ! --dports 5001,5003:5004
for p in 5001 5002 5003 5004 5005; do udp_to $p; done
expect_eq "$(pkts server INPUT 1)" 3 "multiport: 5001 and the range 5003:5004"
expect_eq "$(pkts server INPUT 2)" 2 "! multiport: 5002 and 5005"
reset

# --- iprange ------------------------------------------------------------
ns server moat -A INPUT -p udp -m iprange --src-range 10.0.1.2-10.0.1.2
ns server moat -A INPUT -p udp -m iprange --src-range 10.0.1.3-10.0.1.9
ns server moat -A INPUT -p udp -m iprange ! --dst-range 10.0.1.1-10.0.1.200
udp_to 6000 2
expect_eq "$(pkts server INPUT 1)" 2 "iprange: a one-address range"
expect_eq "$(pkts server INPUT 2)" 0 "iprange: outside the range"
expect_eq "$(pkts server INPUT 3)" 0 "! iprange: inside the range"
reset

# --- addrtype -----------------------------------------------------------
ns server moat -A INPUT -p udp -m addrtype --dst-type LOCAL --src-type UNICAST
ns server moat -A INPUT -p udp -m addrtype --dst-type BROADCAST
ns server moat -A INPUT -p udp -m addrtype ! --dst-type LOCAL,BROADCAST
ns server moat -A INPUT -p udp -m addrtype --dst-type LOCAL --limit-iface-in
udp_to 6001
echo x | ns client socat -u STDIN UDP-DATAGRAM:10.0.1.255:6001,broadcast
expect_eq "$(pkts server INPUT 1)" 1 "addrtype: LOCAL destination, UNICAST source"
expect_eq "$(pkts server INPUT 2)" 1 "addrtype: BROADCAST destination"
expect_eq "$(pkts server INPUT 3)" 0 "! addrtype: neither"
expect_eq "$(pkts server INPUT 4)" 1 "addrtype: LOCAL on the incoming interface"
reset

# --- mac ----------------------------------------------------------------
ns server moat -A INPUT -p udp -m mac --mac-source 02:00:00:00:00:02
ns server moat -A INPUT -p udp -m mac ! --mac-source 02:00:00:00:00:03
ns server moat -A INPUT -p udp -m mac --mac-source 02:00:00:00:00:03
udp_to 6002
expect_eq "$(pkts server INPUT 1)" 1 "mac: the client's address"
expect_eq "$(pkts server INPUT 2)" 1 "! mac: another address"
expect_eq "$(pkts server INPUT 3)" 0 "mac: another address does not match"
reset

# --- length: 20 (IP) + 8 (UDP) + payload --------------------------------
ns server moat -A INPUT -p udp -m length --length 29
ns server moat -A INPUT -p udp -m length ! --length 29
ns server moat -A INPUT -p udp -m length --length 30:31
udp_to 6003 1 x
udp_to 6003 1 xx
udp_to 6003 1 xxxx
expect_eq "$(counters server INPUT 1)" "1 29" "length 29: one byte of payload"
expect_eq "$(pkts server INPUT 2)" 2 "! length 29: the other two"
expect_eq "$(pkts server INPUT 3)" 1 "length 30:31: two bytes of payload"
reset

# --- ttl, tos, dscp (ping -t, ping -Q) ----------------------------------
ns server moat -A INPUT -p icmp -m ttl --ttl-eq 7
ns server moat -A INPUT -p icmp -m ttl --ttl-lt 7
ns server moat -A INPUT -p icmp -m ttl --ttl-gt 7
ns server moat -A INPUT -p icmp -m ttl ! --ttl-eq 7
ns server moat -A INPUT -p icmp -m tos --tos 0x10
ns server moat -A INPUT -p icmp -m tos --tos Minimize-Delay
ns server moat -A INPUT -p icmp -m dscp --dscp 10
ns server moat -A INPUT -p icmp -m dscp --dscp-class AF11
ns client ping -c 1 -W 2 -t 7 10.0.1.1 > /dev/null
ns client ping -c 1 -W 2 -t 64 -Q 0x10 10.0.1.1 > /dev/null
ns client ping -c 1 -W 2 -Q 0x28 10.0.1.1 > /dev/null
expect_eq "$(pkts server INPUT 1)" 1 "ttl-eq 7"
expect_eq "$(pkts server INPUT 2)" 0 "ttl-lt 7"
expect_eq "$(pkts server INPUT 3)" 2 "ttl-gt 7"
expect_eq "$(pkts server INPUT 4)" 2 "! ttl-eq 7"
expect_eq "$(pkts server INPUT 5)" 1 "tos 0x10/0xff"
expect_eq "$(pkts server INPUT 6)" 1 "tos Minimize-Delay (mask 0x3f)"
expect_eq "$(pkts server INPUT 7)" 1 "dscp 10 (tos 0x28)"
expect_eq "$(pkts server INPUT 8)" 1 "dscp-class AF11 is dscp 10"
reset

# --- mark (ping -m sets SO_MARK: OUTPUT sees it) and comment ------------
ns client moat -A OUTPUT -p icmp -m mark --mark 5 -m comment --comment "marked pings"
ns client moat -A OUTPUT -p icmp -m mark ! --mark 0x4/0x4
ns client moat -A OUTPUT -p icmp -m comment --comment "every ping"
ns client ping -c 1 -W 2 -m 5 10.0.1.1 > /dev/null
ns client ping -c 1 -W 2 -m 3 10.0.1.1 > /dev/null
expect_eq "$(pkts client OUTPUT 1)" 1 "mark 5"
expect_eq "$(pkts client OUTPUT 2)" 1 "! mark 0x4/0x4: only mark 3"
expect_eq "$(pkts client OUTPUT 3)" 2 "comment matches everything"
reset

# --- limit: a full bucket of 3, refilled once an hour -------------------
ns server moat -A INPUT -p udp -m limit --limit 1/hour --limit-burst 3
ns server moat -A INPUT -p udp
udp_to 6010 10
expect_eq "$(pkts server INPUT 1)" 3 "limit: the burst and no more"
expect_eq "$(pkts server INPUT 2)" 10 "every datagram arrived"
ns server moat -A INPUT -p udp -m limit --limit 1/hour --limit-burst 3
udp_to 6010 5
expect_eq "$(pkts server INPUT 3)" 3 "limit: each rule has its own bucket"
expect_eq "$(pkts server INPUT 1)" 3 "limit: the first bucket stays empty"
reset

# --- statistic ----------------------------------------------------------
ns server moat -A INPUT -p udp -m statistic --mode nth --every 3 --packet 0
ns server moat -A INPUT -p udp -m statistic --mode nth --every 3 --packet 2
ns server moat -A INPUT -p udp -m statistic --mode nth ! --every 4 --packet 0
ns server moat -A INPUT -p udp -m statistic --mode random --probability 0
ns server moat -A INPUT -p udp -m statistic --mode random --probability 1
ns server moat -A INPUT -p udp -m statistic --mode random --probability 0.5
udp_to 6020 200
expect_eq "$(pkts server INPUT 1)" 67 "nth every 3: packets 1, 4, ... 199"
expect_eq "$(pkts server INPUT 2)" 66 "nth every 3 packet 2: packets 3, 6, ... 198"
expect_eq "$(pkts server INPUT 3)" 150 "! nth every 4"
expect_eq "$(pkts server INPUT 4)" 0 "random probability 0"
expect_eq "$(pkts server INPUT 5)" 200 "random probability 1"
half=$(pkts server INPUT 6)
[ "$half" -ge 50 ] && [ "$half" -le 150 ] ||
	fail "random probability 0.5: $half of 200, want 50..150"
ok "random probability 0.5: $half of 200"
reset

# --- recent: the third datagram within a minute is dropped --------------
ns server moat -A INPUT -p udp --dport 6030 -m recent --name u --set
ns server moat -A INPUT -p udp --dport 6030 -m recent --name u --update --seconds 60 --hitcount 3 -j DROP
ns server moat -A INPUT -p udp --dport 6030
ns server moat -A INPUT -p udp --dport 6031 -m recent --name u --rcheck
ns server moat -A INPUT -p udp --dport 6031 -m recent --name other --rcheck
udp_to 6030 5
udp_to 6031
expect_eq "$(pkts server INPUT 1)" 5 "recent --set matches every packet"
expect_eq "$(pkts server INPUT 2)" 3 "recent --update --hitcount 3 drops from the third"
expect_eq "$(pkts server INPUT 3)" 2 "two datagrams got past"
expect_eq "$(pkts server INPUT 4)" 1 "recent --rcheck: the list knows the client"
expect_eq "$(pkts server INPUT 5)" 0 "recent --rcheck: another list does not"
ns server moat -I INPUT 1 -p udp --dport 6032 -m recent --name u --remove
udp_to 6032
udp_to 6031
expect_eq "$(pkts server INPUT 1)" 1 "recent --remove matched"
expect_eq "$(pkts server INPUT 5)" 1 "recent --rcheck after --remove: no match"
reset

# The classic SSH brute-force guard, over TCP: the third new connection
# within a minute is dropped.
ns server moat -A INPUT -p tcp --dport 2222 --syn -m recent --name ssh --set
ns server moat -A INPUT -p tcp --dport 2222 --syn -m recent --name ssh --update --seconds 60 --hitcount 3 -j DROP
ip netns exec server socat TCP-LISTEN:2222,reuseaddr,fork SYSTEM:'echo hi' &
srv=$!
wait_for listening server 2222
conn() { [ "$(ns client socat -T 2 -u TCP:10.0.1.1:2222,connect-timeout=2 STDOUT 2>/dev/null)" = hi ]; }
echo "tcp: starting at $(date +%s)"
conn || fail "first connection"
conn || fail "second connection"
expect_fail "third connection within a minute is dropped" conn
kill "$srv" 2>/dev/null || true
wait "$srv" 2>/dev/null || true
[ "$(pkts server INPUT 2)" -ge 1 ] || fail "the DROP rule counted nothing"
ok "recent DROP rule counted $(pkts server INPUT 2) SYNs"
reset

if dmesg | grep -E "WARNING|BUG|moat.*(leak|refcount)"; then
	fail "kernel warnings (above)"
fi
ok "no kernel warnings"
