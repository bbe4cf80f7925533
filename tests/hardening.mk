# tests/hardening.mk: hostile input, faults, load and other users (issue 6);
# included from Makefile.am.  The fuzz targets have their own fuzz/fuzz.mk.

# A Docker that hangs, trickles, fails, lies or floods (tests/hostile-docker.py),
# hostile names through getent, the concurrency test under TSan, the unit
# tests under ASan+UBSan in a second build, lookups under valgrind, a setuid
# program run by a user with VMHOSTS_CONF (it builds tests/setuid_lookup.c),
# other users' caches and planted symlinks, 10,000 lookups beside libnss-docker,
# the refresh lock and refresher against hosts and users that abuse them,
# and 32-bit and big-endian builds of the module and the writer against this
# machine's cache and bytes.
HARDENING_E2E = tests/e2e-hostile-docker.sh tests/e2e-hostile-names.sh tests/concurrency-tsan.sh \
	tests/sanitizers.sh tests/e2e-valgrind.sh tests/e2e-setuid.sh \
	tests/e2e-trust.sh tests/e2e-load.sh tests/e2e-locks.sh tests/e2e-foreign-arch.sh
TESTS += $(HARDENING_E2E)
EXTRA_DIST += $(HARDENING_E2E) tests/hostile-docker.py tests/lib-hardening.sh \
	tests/setuid_lookup.c tests/resolve_each.c tests/cache_bytes.c

# Hostile names through every entry point; reverse lookups of odd lengths.
HARDENING_UNIT = tests/test_hostile_names tests/test_concurrency
check_PROGRAMS += $(HARDENING_UNIT)
TESTS += $(HARDENING_UNIT)
tests_test_hostile_names_SOURCES = tests/test_hostile_names.c tests/check.h
tests_test_hostile_names_LDADD = $(TEST_LIBS)

# 16 threads resolving while another process rewrites the cache; fork with
# lookups in flight.  concurrency-tsan.sh builds the same test under
# ThreadSanitizer itself, so that a compiler without it only skips.
tests_test_concurrency_SOURCES = tests/test_concurrency.c tests/check.h
tests_test_concurrency_LDADD = $(TEST_LIBS) -lpthread

# For tests/sanitizers.sh, which runs these in a build configured with
# --enable-sanitizers: every test that is a program.
print-sanitized-tests:
	@for test in $(TESTS); do case $$test in *.sh) ;; *) echo $$test ;; esac; done
.PHONY: print-sanitized-tests
