#!/bin/bash
# Tools that shell out to iptables, unchanged: the command lines fail2ban,
# Docker (moby's libnetwork), ufw and netfilter-persistent, Ansible's
# iptables module and kube-proxy run, as they run them (shell snippets
# with their ||, redirections and output parsing), through the names
# iptables, iptables-save and iptables-restore. Each snippet runs on both
# sides, where those names are moat or iptables-legacy, and its combined
# output and exit status must be the same (the version banner aside).
#
#   +------------------------+          +------------------------+
#   | netns: mo              |   same   | netns: ref             |
#   | iptables* -> moat      | snippets | iptables* -> iptables- |
#   | (build/bin)            | <------> | legacy* (symlinks)     |
#   +------------------------+          +------------------------+
# vm-timeout: 600
# shellcheck disable=SC2016 # the snippets are expanded by bash -c, on each side
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

need iptables-legacy iptables-legacy-save iptables-legacy-restore
need_moat

mkhost ref
mkhost mo
tmp=$(mktemp -d)
mkdir "$tmp/ref-bin"
for n in iptables iptables-save iptables-restore; do
	ln -s "$(command -v "${n/iptables/iptables-legacy}")" "$tmp/ref-bin/$n"
done
declare -A path=(
	[ref]="$tmp/ref-bin:/usr/sbin:/usr/bin:/sbin:/bin"
	[mo]="$MOAT_REPO/build/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

# run_side SIDE SCRIPT: SCRIPT's stdout and stderr together, then its status.
run_side() {
	local rc=0 out
	out=$(cd "$tmp" && ip netns exec "$1" env PATH="${path[$1]}" LC_ALL=C \
		XTABLES_LOCKFILE="$tmp/$1.lock" bash -c "$2" 2>&1) || rc=$?
	printf '%s\nexit %s\n' "$out" "$rc" |
		sed -E 's/v1\.8\.9 \((legacy|moat [^)]*)\)/v1.8.9 (*)/g'
}

# pattern NAME SCRIPT: SCRIPT behaves the same with moat as with
# iptables-legacy; the transcript goes to the log.
pattern() {
	local r m
	r=$(run_side ref "$2")
	m=$(run_side mo "$2")
	if [ "$r" != "$m" ]; then
		echo "--- $1: iptables-legacy / moat"
		diff -u <(echo "$r") <(echo "$m") || true
		fail "$1: moat differs from iptables-legacy"
	fi
	printf '%s\n' "$r" | sed 's/^/    /'
	ok "$1"
}

# Both sides' whole rulesets must be the same after each group.
same_rulesets() {
	pattern "$1: iptables-save" 'iptables-save | grep -v "^#"'
}

# --- fail2ban: action.d/iptables.conf (type multiport), lockingopt -w -----
f2b_start='{ iptables -w -C f2b-sshd -j RETURN >/dev/null 2>&1; } ||
	{ iptables -w -N f2b-sshd || true; iptables -w -A f2b-sshd -j RETURN; }
for proto in $(echo "tcp" | sed "s/,/ /g"); do
{ iptables -w -C INPUT -p $proto -m multiport --dports 22 -j f2b-sshd >/dev/null 2>&1; } ||
	{ iptables -w -I INPUT -p $proto -m multiport --dports 22 -j f2b-sshd; }
done'
pattern "fail2ban actionstart" "$f2b_start"
pattern "fail2ban actionstart again (idempotent)" "$f2b_start"
pattern "fail2ban actioncheck" \
	'iptables -w -C INPUT -p tcp -m multiport --dports 22 -j f2b-sshd'
pattern "fail2ban actionban" \
	'iptables -w -I f2b-sshd 1 -s 1.2.3.4 -j REJECT --reject-with icmp-port-unreachable
	iptables -w -I f2b-sshd 1 -s 5.6.7.8 -j REJECT --reject-with icmp-port-unreachable'
pattern "fail2ban: is it banned (-C)" \
	'iptables -w -C f2b-sshd -s 1.2.3.4 -j REJECT --reject-with icmp-port-unreachable; echo "banned=$?"
	iptables -w -C f2b-sshd -s 9.9.9.9 -j REJECT --reject-with icmp-port-unreachable; echo "banned=$?"'
pattern "fail2ban: old actionstart, chain exists" 'iptables -w -N f2b-sshd'
pattern "fail2ban listing" 'iptables -w -n -L f2b-sshd --line-numbers; iptables -w -S f2b-sshd'
same_rulesets fail2ban
pattern "fail2ban actionunban" \
	'iptables -w -D f2b-sshd -s 1.2.3.4 -j REJECT --reject-with icmp-port-unreachable
	iptables -w -D f2b-sshd -s 1.2.3.4 -j REJECT --reject-with icmp-port-unreachable'
pattern "fail2ban actionstop" \
	'for proto in tcp; do iptables -w -D INPUT -p $proto -m multiport --dports 22 -j f2b-sshd; done
	iptables -w -F f2b-sshd
	iptables -w -X f2b-sshd'
pattern "fail2ban actionstop again" \
	'iptables -w -D INPUT -p tcp -m multiport --dports 22 -j f2b-sshd; iptables -w -F f2b-sshd; iptables -w -X f2b-sshd'
same_rulesets "fail2ban stopped"

# --- Docker: libnetwork/iptables, every call with --wait first -------------
pattern "docker: chain missing (-n -L)" 'iptables --wait -t filter -n -L DOCKER'
pattern "docker: NewChain" \
	'iptables --wait -t filter -n -L DOCKER >/dev/null 2>&1 || iptables --wait -t filter -N DOCKER'
pattern "docker: -N when it exists" 'iptables --wait -t filter -N DOCKER'
pattern "docker: ExistChain (-nL)" 'iptables --wait -t filter -nL DOCKER'
pattern "docker: DOCKER-USER" \
	'iptables --wait -t filter -nL DOCKER-USER >/dev/null 2>&1 || iptables --wait -t filter -N DOCKER-USER
	iptables --wait -t filter -C DOCKER-USER -j RETURN || iptables --wait -A DOCKER-USER -j RETURN
	iptables --wait -t filter -C FORWARD -j DOCKER-USER || iptables --wait -I FORWARD -j DOCKER-USER
	iptables --wait -t filter -C FORWARD -j DOCKER-USER || iptables --wait -I FORWARD -j DOCKER-USER'
pattern "docker: EnsureJumpRule" \
	'for c in DOCKER-ISOLATION-STAGE-1 DOCKER-ISOLATION-STAGE-2; do
		iptables --wait -t filter -n -L $c >/dev/null 2>&1 || iptables --wait -t filter -N $c
	done
	for i in 1 2; do
		iptables --wait -t filter -C FORWARD -j DOCKER-ISOLATION-STAGE-1 &&
			iptables --wait -D FORWARD -j DOCKER-ISOLATION-STAGE-1
		iptables --wait -I FORWARD -j DOCKER-ISOLATION-STAGE-1
	done
	iptables --wait -t filter -C DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2 ||
		iptables --wait -t filter -I DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
	iptables --wait -t filter -C DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP ||
		iptables --wait -t filter -I DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP'
pattern "docker: bridge rules (ProgramRule)" \
	'prog() { iptables --wait -t filter -C "$@" 2>/dev/null || iptables --wait -t filter -A "$@"; }
	prog FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	prog FORWARD -o docker0 -j DOCKER
	prog FORWARD -i docker0 ! -o docker0 -j ACCEPT
	prog FORWARD -i docker0 -o docker0 -j ACCEPT
	prog DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
	prog DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
	iptables --wait -t filter -P FORWARD DROP'
pattern "docker: Link (icc=false)" \
	'for a in -A -D -D; do
		iptables --wait -t filter $a DOCKER -i docker0 -o docker0 -p tcp -s 172.17.0.2 -d 172.17.0.3 --dport 5432 -j ACCEPT
		iptables --wait -t filter $a DOCKER -i docker0 -o docker0 -p tcp -s 172.17.0.3 -d 172.17.0.2 --sport 5432 -j ACCEPT
	done'
pattern "docker: listings it parses" \
	'iptables --wait -t filter -S DOCKER; iptables --wait -t filter -S FORWARD 1
	iptables --wait -t filter -L FORWARD -n -v --line-numbers | sed -n "1,3p"
	iptables --wait -t filter -L DOCKER-USER'
same_rulesets docker
pattern "docker: RemoveExistingChain" \
	'for c in DOCKER DOCKER-NOPE; do iptables --wait -t filter -F $c; iptables --wait -t filter -X $c; done'

# --- ufw and netfilter-persistent: save, restore, restore -n ---------------
pattern "netfilter-persistent save" 'iptables-save > rules.v4; echo "saved $?"; grep -c "^-A" rules.v4'
pattern "netfilter-persistent start (restore)" \
	'iptables -F; iptables -X; iptables-restore < rules.v4; echo "restored $?"'
same_rulesets "restored rules.v4"
cat > "$tmp/ufw-user.rules" <<'EOF'
*filter
:ufw-user-input - [0:0]
:ufw-user-output - [0:0]
:ufw-user-limit - [0:0]
:ufw-user-limit-accept - [0:0]
### RULES ###

### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 22 -j ACCEPT

### tuple ### limit tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in
-A ufw-user-input -p tcp --dport 2222 -m conntrack --ctstate NEW -m recent --set
-A ufw-user-input -p tcp --dport 2222 -m conntrack --ctstate NEW -m recent --update --seconds 30 --hitcount 6 -j ufw-user-limit
-A ufw-user-input -p tcp --dport 2222 -j ufw-user-limit-accept

### END RULES ###
-A ufw-user-limit -m limit --limit 3/minute -j LOG --log-prefix "[UFW LIMIT BLOCK] "
-A ufw-user-limit -j REJECT
-A ufw-user-limit-accept -j ACCEPT
COMMIT
EOF
pattern "ufw: iptables-restore -n of user.rules" \
	'iptables-restore -n < ufw-user.rules; echo "rc=$?"; iptables-restore -n < ufw-user.rules; echo "rc=$?"
	iptables -n -L ufw-user-input; iptables -S ufw-user-limit'
pattern "ufw: reload (flush user chains, restore -n again)" \
	'for c in ufw-user-input ufw-user-output ufw-user-limit ufw-user-limit-accept; do iptables -F $c; done
	iptables-restore -n < ufw-user.rules; iptables -L ufw-user-input -n | wc -l'
pattern "ufw: chain check before creating" \
	'iptables -L ufw-user-input -n >/dev/null 2>&1; echo "exists=$?"; iptables -L ufw-nope -n; echo "exists=$?"'
same_rulesets ufw

# --- Ansible's iptables module: -C then -A/-I/-D, policy from -L ----------
ans_rule='-p tcp -m tcp --dport 8080 -m comment --comment "ansible: web" -j ACCEPT'
pattern "ansible: state=present" \
	"iptables -t filter -C INPUT $ans_rule || iptables -t filter -A INPUT $ans_rule
	iptables -t filter -C INPUT $ans_rule || iptables -t filter -A INPUT $ans_rule"
pattern "ansible: action=insert rule_num=1" \
	'iptables -t filter -C INPUT -s 10.0.0.0/8 -j DROP || iptables -t filter -I INPUT 1 -s 10.0.0.0/8 -j DROP'
pattern "ansible: policy (parsed from -L)" \
	'iptables -t filter -L INPUT | head -n 1
	iptables -t filter -P INPUT DROP
	iptables -t filter -L INPUT | sed -n "s/^Chain INPUT (policy \([A-Z]*\).*/\1/p"'
pattern "ansible: chain_management" \
	'iptables -t filter -L ansible-chain; echo "present=$?"
	iptables -t filter -N ansible-chain; iptables -t filter -L ansible-chain; echo "present=$?"
	iptables -w 1 -t filter -X ansible-chain; echo "deleted=$?"'
pattern "ansible: state=absent, twice" \
	"iptables -w 1 -t filter -C INPUT $ans_rule && iptables -w 1 -t filter -D INPUT $ans_rule
	iptables -w 1 -t filter -C INPUT $ans_rule && iptables -w 1 -t filter -D INPUT $ans_rule; echo done"
pattern "ansible: flush" 'iptables -t filter -F INPUT; iptables -t filter -P INPUT ACCEPT; iptables -t filter -L INPUT'
same_rulesets ansible

# --- kube-proxy: -w 5 -W 100000, iptables-save -t, restore --noflush -c ----
pattern "kube-proxy: ensure chains" \
	'for c in KUBE-FIREWALL KUBE-FIREWALL; do iptables -w 5 -W 100000 -N $c -t filter; echo "rc=$?"; done
	iptables -w 5 -W 100000 -C INPUT -t filter -j KUBE-FIREWALL || iptables -w 5 -W 100000 -I INPUT -t filter -j KUBE-FIREWALL'
cat > "$tmp/kube.rules" <<'EOF'
*filter
:KUBE-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-SERVICES -m comment --comment "default/nope has no endpoints" -m tcp -p tcp -d 10.96.0.10/32 --dport 53 -j REJECT
COMMIT
EOF
pattern "kube-proxy: save, restore --noflush --counters" \
	'iptables-save -t filter | grep -c "^:KUBE"
	iptables-restore -w 5 -W 100000 --noflush --counters < kube.rules; echo "rc=$?"
	iptables-save -t filter | grep -v "^#"'

# --- version: the same words, and moat says it is moat ----------------------
pattern "versions" \
	'iptables --version; iptables -V; iptables-save --version; iptables-restore --version
	iptables-save -V; iptables-restore -V; iptables -w -V'
for n in iptables iptables-save iptables-restore; do
	got=$(ns mo env PATH="${path[mo]}" "$n" --version)
	case $got in
	"$n v1.8.9 (moat "*")") ok "$n --version says moat: $got" ;;
	*) fail "$n --version: '$got', want '$n v1.8.9 (moat VERSION)'" ;;
	esac
done
