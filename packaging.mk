# SPDX-License-Identifier: GPL-2.0
# Included by the Makefile: installing (make install, DKMS), the quick
# packaging checks `make check` runs, Debian packages, and the demo.

PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
# systemd reads units from /usr/local/lib/systemd/system too.
UNITDIR ?= $(PREFIX)/lib/systemd/system
MODDIR ?= /lib/modules/$(KVER)/updates
MODULE_KO ?= moat.ko
DKMS_SRCDIR ?= /usr/src/moat-$(VERSION)
DEPMOD ?= depmod
# 1: also install iptables, iptables-save and iptables-restore as names of
# the tool (README: "moat as iptables").
IPTABLES_LINKS ?= 0

MAN_PAGES := $(wildcard docs/man/*.8)
# What a DKMS build needs: the Kbuild side of the tree.
MODULE_SRCS := Kbuild VERSION dkms.conf $(wildcard kernel/*.c) \
	       $(wildcard kernel/*.h) include/uapi/linux/moat.h
TOOL_LINKS := moat-save moat-restore \
	      $(if $(filter 1 yes,$(IPTABLES_LINKS)),iptables iptables-save iptables-restore)

.PHONY: install install-module install-tool install-man install-unit \
	install-etc uninstall dkms-src dkms-install dkms-uninstall \
	check-packaging check-man check-service check-dkms check-flavours deb demo

install: install-module install-tool install-man install-unit install-etc

# Installs the moat.ko that `make` built; depmod only for a live system.
install-module:
	@test -n "$(KVER)" || { echo "no kernel headers found: set KVER=" >&2; exit 1; }
	@test -f $(MODULE_KO) || { echo "$(MODULE_KO) missing: run make first" >&2; exit 1; }
	install -D -m 644 $(MODULE_KO) $(DESTDIR)$(MODDIR)/moat.ko
	$(if $(DESTDIR),,$(DEPMOD) -a $(KVER))

install-tool: tool
	install -D -m 755 $(B)/bin/moat $(DESTDIR)$(SBINDIR)/moat
	@for n in $(TOOL_LINKS); do \
		echo "ln -sf moat $(DESTDIR)$(SBINDIR)/$$n"; \
		ln -sf moat $(DESTDIR)$(SBINDIR)/$$n || exit 1; \
	done

install-man:
	install -d $(DESTDIR)$(MANDIR)/man8
	install -m 644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man8/

install-unit:
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		systemd/moat.service.in > $(DESTDIR)$(UNITDIR)/moat.service
	chmod 644 $(DESTDIR)$(UNITDIR)/moat.service

install-etc:
	install -d -m 755 $(DESTDIR)$(SYSCONFDIR)/moat

# Leaves /etc/moat alone: it may hold the saved ruleset.
uninstall:
	rm -f $(DESTDIR)$(MODDIR)/moat.ko
	rm -f $(DESTDIR)$(SBINDIR)/moat $(addprefix $(DESTDIR)$(SBINDIR)/,$(TOOL_LINKS))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN_PAGES)))
	rm -f $(DESTDIR)$(UNITDIR)/moat.service
	$(if $(DESTDIR),,-$(DEPMOD) -a $(KVER))

# The module's sources where DKMS looks for them, /usr/src/moat-VERSION.
dkms-src:
	@for f in $(MODULE_SRCS); do \
		install -D -m 644 $$f $(DESTDIR)$(DKMS_SRCDIR)/$$f || exit 1; \
	done
	@echo "$(DESTDIR)$(DKMS_SRCDIR): module sources for DKMS"

dkms-install: dkms-src
	dkms status moat/$(VERSION) | grep -q . || dkms add moat/$(VERSION)
	dkms build moat/$(VERSION) -k $(KVER)
	dkms install moat/$(VERSION) -k $(KVER)

dkms-uninstall:
	-dkms remove moat/$(VERSION) --all
	rm -rf $(DKMS_SRCDIR)

# The quick checks of what we ship, no VM; `make check` runs them.
check-packaging: all
	@scripts/check-packaging

check-man: tool $(B)/man/ext-opts
	scripts/check-man

check-service: tool
	scripts/check-service

# A DKMS build in a private tree ($(B)/dkms), against $(KVER)'s headers.
check-dkms:
	scripts/check-dkms $(KVER)

FLAVOURS ?= cloud rt
check-flavours:
	scripts/check-flavours $(FLAVOURS)

# Every extension's options, from the tool's own tables (for check-man).
$(B)/man/ext-opts: tests/man/ext-opts.c $(B)/libmoat.a
	@mkdir -p $(@D)
	nm -g --defined-only $(B)/libmoat.a | \
		awk '$$2 ~ /^[DR]$$/ && $$3 ~ /^moat_ext_/ { print "X(" $$3 ")" }' | \
		sort -u > $(@D)/exts.def
	$(CC) $(CPPFLAGS) $(CFLAGS) -Iuserspace -I$(@D) -o $@ $< $(B)/libmoat.a $(LDLIBS)

# Both Debian packages, built from a copy of the tree in $(B)/deb, then lintian.
deb:
	@scripts/install-deps deb
	scripts/build-deb

# The VM with the examples of docs/examples/ applied and real traffic.
demo: all
	scripts/demo
