# fuzz/options.mk: the fuzz target for any command line through the option
# parser every `vmhosts` command shares (fuzz/fuzz.mk's conventions);
# included from Makefile.am after fuzz.mk.  The parser alone: libc only.
FUZZ_TARGETS += options
FUZZ_REPLAYS += fuzz/replay_options
fuzz_replay_options_SOURCES = fuzz/replay.c fuzz/fuzz_options.c tools/cli/parse_options.c
fuzz_replay_options_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/options:fuzz/regressions/options"'

fuzz/fuzz_options: $(top_srcdir)/fuzz/fuzz_options.c $(top_srcdir)/tools/cli/parse_options.c \
		$(top_srcdir)/tools/cli/parse_options.h $(top_srcdir)/tools/cli/commands.h
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< $(top_srcdir)/tools/cli/parse_options.c
fuzz-targets: fuzz/fuzz_options
clean-local: clean-fuzz-options
clean-fuzz-options:
	rm -f fuzz/fuzz_options
.PHONY: clean-fuzz-options
