# Helpers for the demo scenarios (tests/demo/*.sh), sourced after
# tests/vm/lib.sh. A scenario builds hosts with mkhost/link, applies its
# docs/examples/NAME.rules with fw_restore, sends traffic with the probes
# below and shows what the firewall saw with show_state.
#
# A "# demo-order: N" line orders the scenarios (default 50).
#
# DEMO_FW=iptables-legacy runs a scenario against iptables itself instead of
# moat: the same rules file must give the same results there.
FW=${DEMO_FW:-moat}

# describe FILE: the scenario's header comment, diagram included.
describe() {
	awk 'NR > 1 && /^#/ && !/shellcheck|demo-order/ { sub(/^# ?/, ""); print; next }
	     NR > 1 { exit }' "$1"
}

# say TEXT: a line of the demo's own commentary.
say() {
	printf '%s\n' "$*"
}

# run NS CMD...: show "[NS]# CMD" and run it in NS.
run() {
	local n=$1
	shift
	printf '[%s]# %s\n' "$n" "$*"
	ns "$n" "$@"
}

# fw_restore NS FILE: the ruleset of FILE, applied in NS.
fw_restore() {
	printf '[%s]# %s-restore < %s\n' "$1" "$FW" "$2"
	ns "$1" "$FW-restore" < "$2"
}

# serve NS PORT TEXT: a TCP server in NS answering every connection with
# TEXT (in which $SOCAT_PEERADDR is the client's address).
serve() {
	ns "$1" socat "TCP-LISTEN:$2,reuseaddr,fork" \
		SYSTEM:"echo \"$3\"" > /dev/null 2>&1 &
	wait_for listening "$1" "$2"
}

# try_tcp LABEL NS ADDR PORT: connect, print what came back or why not.
try_tcp() {
	local out rc=0
	out=$(ns "$2" timeout 5 socat -T 3 - "TCP:$3:$4,connect-timeout=3" < /dev/null 2>&1) || rc=$?
	case $rc:$out in
	0:*) printf '  %-46s connected: %s\n' "$1" "$out" ;;
	*"Connection refused"*) printf '  %-46s refused (TCP reset)\n' "$1" ;;
	*"timed out"*|124:*) printf '  %-46s no answer (dropped)\n' "$1" ;;
	*) printf '  %-46s failed: %s\n' "$1" "${out##*E }" ;;
	esac
}

# try_udp LABEL NS ADDR PORT: send a datagram, say whether an ICMP error
# came back.
try_udp() {
	local out rc=0
	out=$(echo hello | ns "$2" timeout 5 socat -T 2 - "UDP:$3:$4" 2>&1) || rc=$?
	case $out in
	*"Connection refused"*) printf '  %-46s refused (ICMP port unreachable)\n' "$1" ;;
	*) printf '  %-46s no error came back (exit %s)\n' "$1" "$rc" ;;
	esac
}

# try_ping LABEL NS ADDR: three pings.
try_ping() {
	local out
	out=$(ns "$2" ping -c 3 -i 0.2 -W 1 "$3" 2>&1 | grep 'packets transmitted') || true
	printf '  %-46s %s\n' "$1" "${out:-no answer}"
}

# show_state NS PREFIX TABLE...: the ruleset with counters, the connections
# the kernel tracks in NS, and the LOG lines whose prefix starts PREFIX.
show_state() {
	local n=$1 prefix=$2 t
	shift 2
	for t in "$@"; do
		say
		if [ "$t" = filter ]; then
			run "$n" "$FW" -L -n -v
		else
			run "$n" "$FW" -t "$t" -L -n -v
		fi
	done
	say
	say "[$n]# cat /proc/net/nf_conntrack    (the connections tracked in $n)"
	ns "$n" cat /proc/net/nf_conntrack 2>/dev/null | sed 's/^ipv4 *2 //' || true
	say
	say "# dmesg | grep '$prefix'    (LOG lines)"
	dmesg | grep -F "$prefix" | sed 's/^\[ *[0-9.]*\] //' || say "  (none)"
}
