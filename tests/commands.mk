# tests/commands.mk: owned by one piece of work; included from Makefile.am.
# `vmhosts list`, `lookup` and `status`, and their end-to-end tests.

vmhosts_SOURCES += tools/explain.h tools/explain_cache.c \
	tools/explain_names.h tools/explain_names.c \
	tools/explain_miss.h tools/explain_miss.c \
	tools/status.h tools/status_report.c tools/status_backends.c tools/status_nsswitch.c
# cmd_list.c writes JSON with jansson.
vmhosts_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)

E2E_COMMANDS_TESTS = tests/e2e-commands.sh
TESTS += $(E2E_COMMANDS_TESTS)
EXTRA_DIST += $(E2E_COMMANDS_TESTS) tests/lib-commands.sh
