# tests/hardening.mk: hostile input, faults, load and other users (issue 6);
# included from Makefile.am.  The fuzz targets have their own fuzz/fuzz.mk.

# A Docker that hangs, trickles, fails, lies or floods (tests/hostile-docker.py).
HARDENING_E2E = tests/e2e-hostile-docker.sh tests/e2e-hostile-names.sh
TESTS += $(HARDENING_E2E)
EXTRA_DIST += $(HARDENING_E2E) tests/hostile-docker.py

# Hostile names through every entry point; reverse lookups of odd lengths.
HARDENING_UNIT = tests/test_hostile_names
check_PROGRAMS += $(HARDENING_UNIT)
TESTS += $(HARDENING_UNIT)
tests_test_hostile_names_SOURCES = tests/test_hostile_names.c tests/check.h
tests_test_hostile_names_LDADD = $(TEST_LIBS)
