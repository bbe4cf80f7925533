# tests/watch.mk: owned by one piece of work; included from Makefile.am.
# `vmhosts watch`, the module's respect for a running watcher, the systemd
# unit that runs it, and their tests.

check_PROGRAMS += tests/test_watch_lock
TESTS += tests/test_watch_lock
tests_test_watch_lock_SOURCES = tests/test_watch_lock.c tests/check.h
tests_test_watch_lock_LDADD = $(TEST_LIBS)

# `vmhosts watch` itself: Docker's event stream and the loop around it.
vmhosts_SOURCES += tools/backends/docker/docker_events.c tools/backends/docker/docker_events.h \
	tools/refresh/watch_loop.c tools/refresh/watch_loop.h \
	tools/refresh/watch_files.c tools/refresh/watch_files.h \
	tools/refresh/watch_sockets.c tools/refresh/watch_sockets.h \
	tools/refresh/watch_streams.c tools/refresh/watch_streams.h \
	tools/refresh/watch_memory.c tools/refresh/watch_memory.h

# The watcher's heap, kept between refreshes.
check_PROGRAMS += tests/test_watch_memory
TESTS += tests/test_watch_memory
tests_test_watch_memory_SOURCES = tests/test_watch_memory.c tests/check.h \
	tools/refresh/watch_memory.c tools/refresh/watch_memory.h
tests_test_watch_memory_LDADD = $(TEST_LIBS)

# inotify on the backends' folders (libvirt's leases).
check_PROGRAMS += tests/test_watch_files
TESTS += tests/test_watch_files
tests_test_watch_files_SOURCES = tests/test_watch_files.c tests/check.h tests/set_setting.h \
	tools/refresh/watch_files.c tools/refresh/watch_files.h
tests_test_watch_files_LDADD = $(TEST_LIBS)

# inotify on the folders of a user's rootless engines' sockets.
check_PROGRAMS += tests/test_watch_sockets
TESTS += tests/test_watch_sockets
tests_test_watch_sockets_SOURCES = tests/test_watch_sockets.c tests/check.h \
	tools/refresh/watch_sockets.c tools/refresh/watch_sockets.h
tests_test_watch_sockets_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_docker_events
TESTS += tests/test_docker_events
tests_test_docker_events_SOURCES = tests/test_docker_events.c tests/check.h tests/peercred_wrap.h \
	tools/backends/docker/docker_events.c tools/backends/docker/docker_events.h
tests_test_docker_events_CFLAGS = $(AM_CFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS)
tests_test_docker_events_LDADD = $(TEST_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)
# SO_PEERCRED unanswered (tests/test_docker_events.c: __wrap_getsockopt).
tests_test_docker_events_LDFLAGS = $(AM_LDFLAGS) -Wl,--wrap=getsockopt

# The systemd unit that runs the watcher as root, with the real bindir.
systemdsystemunit_DATA = tools/system/vmhosts-watch.service
MOSTLYCLEANFILES = tools/system/vmhosts-watch.service
EXTRA_DIST += tools/system/vmhosts-watch.service.in
tools/system/vmhosts-watch.service: $(srcdir)/tools/system/vmhosts-watch.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) tools && \
	sed -e 's|@bindir[@]|$(bindir)|g' $(srcdir)/tools/system/vmhosts-watch.service.in >$@.tmp && \
	mv $@.tmp $@

E2E_WATCH_TESTS = tests/e2e-watch.sh tests/e2e-watch-late.sh tests/e2e-watch-rootless.sh \
	tests/e2e-watch-part.sh tests/e2e-watch-memory.sh
TESTS += $(E2E_WATCH_TESTS)
EXTRA_DIST += $(E2E_WATCH_TESTS) tests/lib-watch.sh
