# tests/watch.mk: owned by one piece of work; included from Makefile.am.
# `vmhosts watch`, the module's respect for a running watcher, the systemd
# unit that runs it, and their tests.

check_PROGRAMS += tests/test_watch_lock
TESTS += tests/test_watch_lock
tests_test_watch_lock_SOURCES = tests/test_watch_lock.c tests/check.h
tests_test_watch_lock_LDADD = $(TEST_LIBS)

# `vmhosts watch` itself: Docker's event stream and the loop around it.
vmhosts_SOURCES += tools/docker_events.c tools/docker_events.h \
	tools/watch_loop.c tools/watch_loop.h

check_PROGRAMS += tests/test_docker_events
TESTS += tests/test_docker_events
tests_test_docker_events_SOURCES = tests/test_docker_events.c tests/check.h \
	tools/docker_events.c tools/docker_events.h
tests_test_docker_events_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
tests_test_docker_events_LDADD = $(TEST_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)

# The systemd unit that runs the watcher as root, with the real bindir.
systemdsystemunit_DATA = tools/vmhosts-watch.service
MOSTLYCLEANFILES = tools/vmhosts-watch.service
EXTRA_DIST += tools/vmhosts-watch.service.in
tools/vmhosts-watch.service: $(srcdir)/tools/vmhosts-watch.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools && \
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/tools/vmhosts-watch.service.in >$@.tmp && \
	mv $@.tmp $@

E2E_WATCH_TESTS = tests/e2e-watch.sh
TESTS += $(E2E_WATCH_TESTS)
EXTRA_DIST += $(E2E_WATCH_TESTS) tests/lib-watch.sh
