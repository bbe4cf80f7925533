# fuzz/nsswitch.mk: the fuzz target for nsswitch.conf text through
# `vmhosts enable`, `disable` and the hosts line's verdict that `vmhosts
# status` gives (fuzz/fuzz.mk's conventions); included from Makefile.am
# after fuzz.mk.
FUZZ_TARGETS += nsswitch
FUZZ_REPLAYS += fuzz/replay_nsswitch
fuzz_replay_nsswitch_SOURCES = fuzz/replay.c fuzz/fuzz_nsswitch.c
fuzz_replay_nsswitch_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/nsswitch:fuzz/regressions/nsswitch"'
fuzz_replay_nsswitch_LDADD = $(TEST_LIBS)

FUZZ_NSSWITCH_CODE = $(top_srcdir)/tools/system/nsswitch_edit.c \
	$(top_srcdir)/tools/system/nsswitch_action.c $(top_srcdir)/tools/system/nsswitch_verdict.c \
	$(top_srcdir)/tools/system/sync_folder.c
FUZZ_NSSWITCH_INCLUDES = $(top_srcdir)/tools/system/nsswitch_edit.h \
	$(top_srcdir)/tools/system/nsswitch_action.h $(top_srcdir)/tools/system/nsswitch_verdict.h \
	$(top_srcdir)/tools/system/sync_folder.h
fuzz/fuzz_nsswitch: $(top_srcdir)/fuzz/fuzz_nsswitch.c $(FUZZ_NSSWITCH_CODE) \
		$(FUZZ_NSSWITCH_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< $(FUZZ_NSSWITCH_CODE)
fuzz-targets: fuzz/fuzz_nsswitch
clean-local: clean-fuzz-nsswitch
clean-fuzz-nsswitch:
	rm -f fuzz/fuzz_nsswitch
.PHONY: clean-fuzz-nsswitch
