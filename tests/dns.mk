# tests/dns.mk: the DNS face (issue 16), `vmhosts dns`; included from
# Makefile.am.  ldns is the tool's alone: the module never links it.

DNS_SOURCES = tools/dns/dns_answer.c tools/dns/dns_answer.h \
	tools/dns/dns_reverse.c tools/dns/dns_reverse.h \
	tools/dns/dns_listen.c tools/dns/dns_listen.h \
	tools/dns/dns_register.c tools/dns/dns_register.h \
	tools/dns/dns_sockets.c tools/dns/dns_sockets.h \
	tools/dns/dns_server.c tools/dns/dns_server.h
vmhosts_SOURCES += $(DNS_SOURCES) tools/dns/cmd_dns.c \
	tools/dns/dns_parents.c tools/dns/dns_parents.h \
	tools/dns/dns_status.c tools/dns/dns_status.h
vmhosts_CPPFLAGS += $(LDNS_CFLAGS)
vmhosts_LDADD += $(LDNS_LIBS)

# The reply to every kind of query, from a made-up source: no cache needed.
check_PROGRAMS += tests/test_dns
TESTS += tests/test_dns
tests_test_dns_SOURCES = tests/test_dns.c tests/check.h tests/set_setting.h $(DNS_SOURCES)
tests_test_dns_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS)
tests_test_dns_LDADD = $(TEST_LIBS) $(LDNS_LIBS)

# End to end: dig, getent, static Go, Node, dnsmasq, unbound, a container
# and hostile clients against the face in namespaces of its own; enable --dns
# with a real systemd-resolved routing to it.
E2E_DNS_TESTS = tests/e2e-dns.sh tests/e2e-resolved.sh tests/e2e-dns-wait.sh
TESTS += $(E2E_DNS_TESTS)
EXTRA_DIST += $(E2E_DNS_TESTS) tests/dns-hostile.py tests/dns-slot-reuse.py tests/dns_wire.py

# --- the fuzz target (fuzz/fuzz.mk's conventions) ---------------------------
# The reply to any packet: ldns's parser and our handling behind it.
FUZZ_TARGETS += dns
FUZZ_REPLAYS += fuzz/replay_dns
fuzz_replay_dns_SOURCES = fuzz/replay.c fuzz/fuzz_dns.c tools/dns/dns_answer.c \
	tools/dns/dns_reverse.c
fuzz_replay_dns_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/dns:fuzz/regressions/dns"'
fuzz_replay_dns_LDADD = $(TEST_LIBS) $(LDNS_LIBS)

FUZZ_DNS_CODE = $(top_srcdir)/tools/dns/dns_answer.c $(top_srcdir)/tools/dns/dns_reverse.c
FUZZ_DNS_INCLUDES = $(top_srcdir)/tools/dns/dns_answer.h $(top_srcdir)/tools/dns/dns_reverse.h
fuzz/fuzz_dns: $(top_srcdir)/fuzz/fuzz_dns.c $(FUZZ_DNS_CODE) fuzz/fuzzcode.a $(FUZZ_INCLUDES) \
		$(FUZZ_DNS_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) $(LDNS_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DNS_CODE) \
		fuzz/fuzzcode.a $(LDNS_LIBS) $(JANSSON_LIBS)
fuzz-targets: fuzz/fuzz_dns
clean-local: clean-fuzz-dns
clean-fuzz-dns:
	rm -f fuzz/fuzz_dns fuzz/fuzz_listen

# Where the face listens: the dns_listen setting's and --listen's words.
FUZZ_TARGETS += listen
FUZZ_REPLAYS += fuzz/replay_listen
fuzz_replay_listen_SOURCES = fuzz/replay.c fuzz/fuzz_listen.c tools/dns/dns_listen.c
fuzz_replay_listen_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/listen:fuzz/regressions/listen"'
fuzz_replay_listen_LDADD = $(TEST_LIBS)
fuzz/fuzz_listen: $(top_srcdir)/fuzz/fuzz_listen.c $(top_srcdir)/tools/dns/dns_listen.c \
		$(top_srcdir)/tools/dns/dns_listen.h
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< $(top_srcdir)/tools/dns/dns_listen.c
fuzz-targets: fuzz/fuzz_listen
.PHONY: clean-fuzz-dns

# --- the systemd units: sockets bound by systemd, the face as a dynamic user
systemdsystemunit_DATA += tools/dns/vmhosts-dns.socket tools/dns/vmhosts-dns.service
MOSTLYCLEANFILES += tools/dns/vmhosts-dns.service
EXTRA_DIST += tools/dns/vmhosts-dns.socket tools/dns/vmhosts-dns.service.in
tools/dns/vmhosts-dns.service: $(srcdir)/tools/dns/vmhosts-dns.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools/dns && \
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/tools/dns/vmhosts-dns.service.in >$@.tmp && \
	mv $@.tmp $@

# --- make bench: the face against dnsmasq with dnsperf (bench/bench-dns) ----
bench: bench-dns
bench-dns: all
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		bash $(top_srcdir)/bench/bench-dns $(BENCH_DNS_ARGS)
.PHONY: bench-dns
EXTRA_DIST += bench/bench-dns
