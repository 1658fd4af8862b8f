#!/bin/bash
# docs/examples/stateful-server.rules on a server with two neighbours: an
# admin on the admin network 10.0.1.0/24, and a visitor from elsewhere.
#
#   +-------+ 10.0.1.1     10.0.1.2 +--------+ 10.0.2.2     10.0.2.1 +---------+
#   | admin |-----------------------| server |-----------------------| visitor |
#   +-------+                       +--------+                       +---------+
#                             ssh (22) and web (80) listen here
# demo-order: 10
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"
# shellcheck source=tests/demo/lib.sh
. "$(dirname "$0")/lib.sh"

describe "$0"
mkhost admin
mkhost server
mkhost visitor
link admin server 10.0.1.1/24 10.0.1.2/24
link visitor server 10.0.2.1/24 10.0.2.2/24
serve server 22 "SSH-2.0-demo hello \$SOCAT_PEERADDR"
serve server 80 "HTTP/1.0 200 OK - hello from the web server"
serve visitor 8080 "hello from the web server of the visitor"

fw_restore server docs/examples/stateful-server.rules
say
say "Traffic:"
try_tcp "admin   -> server ssh (tcp 22)" admin 10.0.1.2 22
try_tcp "visitor -> server ssh (tcp 22)" visitor 10.0.2.2 22
try_tcp "visitor -> server web (tcp 80)" visitor 10.0.2.2 80
try_tcp "visitor -> server tcp 8080 (not allowed)" visitor 10.0.2.2 8080
try_udp "visitor -> server udp 53" visitor 10.0.2.2 53
try_ping "admin   -> server ping" admin 10.0.1.2
try_tcp "server  -> visitor tcp 8080 (replies come in)" server 10.0.2.1 8080

show_state server "moat refused: " filter
