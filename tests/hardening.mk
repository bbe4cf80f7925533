# tests/hardening.mk: hostile input, faults, load and other users (issue 6);
# included from Makefile.am.  The fuzz targets have their own fuzz/fuzz.mk.

# A Docker that hangs, trickles, fails, lies or floods (tests/hostile-docker.py).
HARDENING_E2E = tests/e2e-hostile-docker.sh
TESTS += $(HARDENING_E2E)
EXTRA_DIST += $(HARDENING_E2E) tests/hostile-docker.py
