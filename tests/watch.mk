# tests/watch.mk: owned by one piece of work; included from Makefile.am.
# `vmhosts watch`, the module's respect for a running watcher, the systemd
# unit that runs it, and their tests.

check_PROGRAMS += tests/test_watch_lock
TESTS += tests/test_watch_lock
tests_test_watch_lock_SOURCES = tests/test_watch_lock.c tests/check.h
tests_test_watch_lock_LDADD = $(TEST_LIBS)
