# tests/dns.mk: the DNS face (issue 16), `vmhosts dns`; included from
# Makefile.am.  ldns is the tool's alone: the module never links it.

DNS_SOURCES = tools/dns/dns_answer.c tools/dns/dns_answer.h \
	tools/dns/dns_reverse.c tools/dns/dns_reverse.h \
	tools/dns/dns_listen.c tools/dns/dns_listen.h
vmhosts_SOURCES += $(DNS_SOURCES) tools/dns/cmd_dns.c \
	tools/dns/dns_server.c tools/dns/dns_server.h \
	tools/dns/dns_sockets.c tools/dns/dns_sockets.h
vmhosts_CPPFLAGS += $(LDNS_CFLAGS)
vmhosts_LDADD += $(LDNS_LIBS)

# The reply to every kind of query, from a made-up source: no cache needed.
check_PROGRAMS += tests/test_dns
TESTS += tests/test_dns
tests_test_dns_SOURCES = tests/test_dns.c tests/check.h $(DNS_SOURCES)
tests_test_dns_CPPFLAGS = $(AM_CPPFLAGS) $(LDNS_CFLAGS)
tests_test_dns_LDADD = $(TEST_LIBS) $(LDNS_LIBS)
