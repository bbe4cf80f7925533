# man/man.mk: owned by one piece of work; included from Makefile.am.
# The man pages, with the paths configure chose filled in.

man_MANS = man/nss-vmhosts.8
if TOOL
man_MANS += man/vmhosts.1 man/vmhosts.conf.5
endif
MAN_INPUTS = man/vmhosts.1.in man/vmhosts.conf.5.in man/nss-vmhosts.8.in
EXTRA_DIST += $(MAN_INPUTS)
CLEANFILES = man/vmhosts.1 man/vmhosts.conf.5 man/nss-vmhosts.8

man_substitute = $(MKDIR_P) man && sed \
	-e 's|@VERSION[@]|$(PACKAGE_VERSION)|g' \
	-e 's|@SYSCONFDIR[@]|$(sysconfdir)|g' \
	-e 's|@CACHEDIR[@]|$(localstatedir)/cache/vmhosts|g' \
	-e 's|@BINDIR[@]|$(bindir)|g'

man/vmhosts.1: $(srcdir)/man/vmhosts.1.in Makefile
	$(AM_V_GEN)$(man_substitute) $(srcdir)/man/vmhosts.1.in >$@.tmp && mv $@.tmp $@
man/vmhosts.conf.5: $(srcdir)/man/vmhosts.conf.5.in Makefile
	$(AM_V_GEN)$(man_substitute) $(srcdir)/man/vmhosts.conf.5.in >$@.tmp && mv $@.tmp $@
man/nss-vmhosts.8: $(srcdir)/man/nss-vmhosts.8.in Makefile
	$(AM_V_GEN)$(man_substitute) $(srcdir)/man/nss-vmhosts.8.in >$@.tmp && mv $@.tmp $@

if TOOL
TESTS += man/check-pages.sh
endif
EXTRA_DIST += man/check-pages.sh
