#!/bin/bash
# docs/examples/home-router.rules on a router between a home network and
# its provider: the home's PC reaches out behind the router's address
# (MASQUERADE), and the router's port 8080 is forwarded to the PC's web
# server (DNAT). Nothing else gets in.
#
#   +----+ 10.0.2.10   lan0 10.0.2.1 +--------+ wan0 10.0.3.1   10.0.3.2 +-----+
#   | pc |---------------------------| router |-------------------------| isp |
#   +----+                           +--------+                         +-----+
#   web server on 80                 forwards                 web server on 80
# demo-order: 20
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
# shellcheck source=tests/demo/lib.sh
. "$(dirname "$0")/lib.sh"

describe "$0"
mkhost router
if ! ns router "$FW" -t nat -L -n > /dev/null 2>&1; then
	say "This moat has no nat table yet ('$FW -t nat -L' fails): skipping the home router."
	exit 77
fi
mkhost pc
mkhost isp
link pc router 10.0.2.10/24 10.0.2.1/24
link router isp 10.0.3.1/24 10.0.3.2/24
for dev in to-pc:lan0 to-isp:wan0; do
	ns router ip link set "${dev%:*}" down
	ns router ip link set "${dev%:*}" name "${dev#*:}"
	ns router ip link set "${dev#*:}" up
done
ns pc ip route add default via 10.0.2.1
ns router sysctl -qw net.ipv4.ip_forward=1
serve pc 80 "hello from the web server of the PC to \$SOCAT_PEERADDR"
serve isp 80 "hello from the internet to \$SOCAT_PEERADDR"
serve router 22 "SSH-2.0-router"

fw_restore router docs/examples/home-router.rules
say
say "Traffic:"
try_tcp "pc  -> isp web (tcp 80), masqueraded" pc 10.0.3.2 80
try_ping "pc  -> isp ping" pc 10.0.3.2
try_tcp "isp -> router tcp 8080, forwarded to pc:80" isp 10.0.3.1 8080
try_tcp "isp -> router ssh (tcp 22)" isp 10.0.3.1 22
try_tcp "pc  -> router ssh (tcp 22)" pc 10.0.2.1 22

show_state router "moat router " nat filter
