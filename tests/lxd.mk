# tests/lxd.mk: the LXD and Incus backend's tests; included from Makefile.am.
# E2E_TESTS is in TESTS and EXTRA_DIST already.
E2E_TESTS += tests/e2e-lxd.sh
EXTRA_DIST += tests/lib-lxd.sh
