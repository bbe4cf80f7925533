# tests/names.mk: owned by one piece of work; included from Makefile.am.
# The names people use end to end: Compose, IPv6, networks, network modes,
# reverse lookups, canonical names, Podman beside Docker.
# E2E_TESTS is in TESTS and EXTRA_DIST already.
E2E_TESTS += tests/e2e-names.sh
EXTRA_DIST += tests/lib-names.sh
