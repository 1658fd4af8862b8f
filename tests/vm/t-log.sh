#!/bin/bash
# LOG: the kernel log lines nf_log writes for moat's rules, field by field
# and for every option; LOG is not a verdict (the next rule decides, and
# both count); a flood writes a bounded number of lines.
#
#   +--------+ to-server  10.0.1.2/24        10.0.1.1/24  to-client +--------+
#   | client |------------------------- veth -------------------------| server |
#   +--------+                                                         +--------+
#   sends udp, tcp, ping (-R, -f)                          INPUT/OUTPUT LOG rules
# vm-timeout: 240
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need ping socat dmesg
need_moat

rate_param=/sys/module/moat/parameters/log_rate
[ -w "$rate_param" ] || fail "$rate_param missing"
old_all=$(sysctl -n net.netfilter.nf_log_all_netns)
old_rate=$(cat "$rate_param")
# nf_log_syslog only logs outside the initial namespace when told to.
trap 'rc=$?; sysctl -qw net.netfilter.nf_log_all_netns="$old_all";
	echo "$old_rate" > "$rate_param"; (exit $rc); _lib_cleanup' EXIT
sysctl -qw net.netfilter.nf_log_all_netns=1

mkhost client
mkhost server
link client server 10.0.1.2/24 10.0.1.1/24

# Prefixes unique to this run, so older lines in the ring never count.
tag="tl$$"

# lines PREFIX [dmesg options]: the log lines with PREFIX, without it.
lines() {
	local p=$1
	shift
	dmesg -t "$@" | sed -n "s/^$p//p"
}

logged() {
	[ -n "$(lines "$@")" ]
}

rule_packets() {
	ns server moat -L "$1" -v -x -n | awk -v n="$2" 'NR == n + 2 { print $1 }'
}

mac_of() {
	ns "$1" cat "/sys/class/net/$2/address"
}

# expect_match TEXT REGEX MSG
expect_match() {
	[[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"
	ok "$3"
}

# --- the common fields; LOG goes on to the next rule, both count ----------
ns server moat -A INPUT -p udp --dport 7000 -j LOG --log-prefix "$tag-in: "
ns server moat -A INPUT -p udp --dport 7000 -j DROP
echo x | ns client socat -u STDIN UDP:10.0.1.1:7000,sourceport=4000
wait_for logged "$tag-in: " || fail "no LOG line for the udp datagram"
line=$(lines "$tag-in: ")
mac="$(mac_of server to-client):$(mac_of client to-server):08:00"
expect_eq "$(echo "$line" | wc -l)" 1 "one line for one datagram"
expect_match "$line" "^IN=to-client OUT= MAC=$mac SRC=10\.0\.1\.2 DST=10\.0\.1\.1 LEN=30 TOS=0x00 PREC=0x00 TTL=64 ID=[0-9]+ (DF )?PROTO=UDP SPT=4000 DPT=7000 LEN=10 ?$" \
	"udp line: IN, OUT, MAC, SRC, DST, LEN, PROTO, SPT, DPT"
expect_eq "$(rule_packets INPUT 1) $(rule_packets INPUT 2)" "1 1" \
	"LOG and the DROP after it both counted the datagram"
logged "$tag-in: " -l warn || fail "default level is not warning"
ok "default --log-level is warning (4)"
ns server moat -F INPUT

# --- TCP sequence and options, at level debug; none without the flags ----
ns server moat -A INPUT -p tcp --dport 7001 --syn -j LOG --log-prefix "$tag-seq: " \
	--log-level debug --log-tcp-sequence --log-tcp-options
ns server moat -A INPUT -p tcp --dport 7001 --syn -j LOG --log-prefix "$tag-plain: "
ns client socat -T 2 -u TCP:10.0.1.1:7001,connect-timeout=2 STDOUT 2>/dev/null || true
wait_for logged "$tag-plain: " || fail "no LOG line for the SYN"
expect_match "$(lines "$tag-seq: " -l debug)" \
	"^IN=to-client OUT= MAC=[0-9a-f:]+ SRC=10\.0\.1\.2 DST=10\.0\.1\.1 .* PROTO=TCP SPT=[0-9]+ DPT=7001 SEQ=[0-9]+ ACK=0 WINDOW=[0-9]+ RES=0x00 SYN URGP=0 OPT \(020405B4[0-9A-F]*\) ?$" \
	"--log-tcp-sequence --log-tcp-options at --log-level debug"
line=$(lines "$tag-plain: ")
expect_match "$line" "PROTO=TCP SPT=[0-9]+ DPT=7001 WINDOW=[0-9]+ RES=0x00 SYN URGP=0 ?$" \
	"no SEQ= or OPT without the flags"
ns server moat -F INPUT

# --- IP options (ping -R records the route in an IP option) ---------------
ns server moat -A INPUT -p icmp --icmp-type echo-request -j LOG \
	--log-prefix "$tag-ipopt: " --log-ip-options
ns client ping -c 1 -W 2 -R 10.0.1.1 > /dev/null || fail "ping -R"
wait_for logged "$tag-ipopt: " || fail "no LOG line for ping -R"
expect_match "$(lines "$tag-ipopt: ")" \
	" OPT \(0107[0-9A-F]+\) PROTO=ICMP TYPE=8 CODE=0 ID=[0-9]+ SEQ=1 ?$" \
	"--log-ip-options: a no-op, then the record-route option"
ns server moat -F INPUT

# --- the socket's owner on OUTPUT, the decoded MAC header on INPUT --------
ns server moat -A OUTPUT -p udp --dport 7002 -j LOG --log-prefix "$tag-uid: " --log-uid
echo y | ns server socat -u STDIN UDP:10.0.1.2:7002
wait_for logged "$tag-uid: " || fail "no LOG line on OUTPUT"
expect_match "$(lines "$tag-uid: ")" \
	"^IN= OUT=to-client SRC=10\.0\.1\.1 DST=10\.0\.1\.2 .* PROTO=UDP SPT=[0-9]+ DPT=7002 LEN=10 UID=0 GID=0 ?$" \
	"--log-uid on OUTPUT: no MAC, UID and GID of the sender"
ns server moat -A INPUT -p udp --dport 7003 -j LOG --log-prefix "$tag-mac: " --log-macdecode
echo z | ns client socat -u STDIN UDP:10.0.1.1:7003
wait_for logged "$tag-mac: " || fail "no LOG line with --log-macdecode"
expect_match "$(lines "$tag-mac: ")" \
	"^IN=to-client OUT= MACSRC=$(mac_of client to-server) MACDST=$(mac_of server to-client) MACPROTO=0800 SRC=10\.0\.1\.2 " \
	"--log-macdecode: MACSRC, MACDST, MACPROTO"
ns server moat -F

# --- stated negative case: namespaces log nothing unless allowed ----------
sysctl -qw net.netfilter.nf_log_all_netns=0
ns server moat -A INPUT -p udp --dport 7004 -j LOG --log-prefix "$tag-off: "
echo w | ns client socat -u STDIN UDP:10.0.1.1:7004
counted() {
	[ "$(rule_packets INPUT 1)" = 1 ]
}
wait_for counted || true
expect_eq "$(rule_packets INPUT 1)" 1 "LOG rule counts with logging off"
logged "$tag-off: " && fail "logged with nf_log_all_netns=0"
ok "no line with nf_log_all_netns=0"
sysctl -qw net.netfilter.nf_log_all_netns=1
ns server moat -F INPUT

# --- a flood: at most log_rate lines a second, the rest counted -----------
echo 20 > "$rate_param"
since=$(dmesg | wc -l)
ns server moat -A INPUT -p icmp --icmp-type echo-request -j LOG --log-prefix "$tag-flood: "
ns client ping -f -q -w 2 10.0.1.1 > /dev/null || true
sleep 1.1
# One more packet opens the next second and reports what was held back.
ns client ping -c 1 -W 2 10.0.1.1 > /dev/null
wait_for logged "moat: [0-9]* LOG lines suppressed" || fail "no 'suppressed' line"
flood=$(lines "$tag-flood: " | wc -l)
packets=$(rule_packets INPUT 1)
held=$(dmesg -t | tail -n "+$((since + 1))" |
	sed -n 's/^moat: \([0-9]*\) LOG lines suppressed.*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
echo "flood: $packets packets, $flood lines, $held held back"
if [ "$flood" -lt 20 ] || [ "$flood" -gt 80 ]; then
	fail "flood of $packets packets wrote $flood lines, want 20..80 (3 s at 20/s, plus 1)"
fi
ok "flood lines bounded by log_rate"
expect_eq "$((flood + held))" "$packets" "every packet either logged or counted as held back"
