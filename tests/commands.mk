# tests/commands.mk: owned by one piece of work; included from Makefile.am.
# `vmhosts list`, `lookup` and `status`, and their end-to-end tests.

vmhosts_SOURCES += tools/diagnose/explain.h tools/diagnose/explain_cache.c \
	tools/diagnose/explain_names.h tools/diagnose/explain_names.c \
	tools/diagnose/explain_miss.h tools/diagnose/explain_miss.c \
	tools/diagnose/explain_labels.c \
	tools/diagnose/status.h tools/diagnose/status_report.c \
	tools/diagnose/status_backends.c tools/diagnose/status_nsswitch.c
# cmd_list.c writes JSON with jansson.
vmhosts_CPPFLAGS = $(AM_CPPFLAGS) $(JANSSON_CFLAGS)

E2E_COMMANDS_TESTS = tests/e2e-commands.sh tests/e2e-list-scale.sh
TESTS += $(E2E_COMMANDS_TESTS)
EXTRA_DIST += $(E2E_COMMANDS_TESTS) tests/lib-commands.sh
