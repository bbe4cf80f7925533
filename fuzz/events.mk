# fuzz/events.mk: the fuzz target for one line of Docker's event stream
# (fuzz/fuzz.mk's conventions); included from Makefile.am after fuzz.mk.
# What the line names for the next refresh (tools/backends/docker/docker_changes.c).
FUZZ_TARGETS += events
FUZZ_REPLAYS += fuzz/replay_events
fuzz_replay_events_SOURCES = fuzz/replay.c fuzz/fuzz_events.c \
	tools/backends/docker/docker_events.c
fuzz_replay_events_CPPFLAGS = $(AM_CPPFLAGS) $(CURL_CFLAGS) $(JANSSON_CFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/events:fuzz/regressions/events"'
fuzz_replay_events_LDADD = $(TEST_LIBS) $(CURL_LIBS) $(JANSSON_LIBS)

FUZZ_EVENTS_CODE = $(top_srcdir)/tools/backends/docker/docker_events.c \
	$(top_srcdir)/tools/backends/docker/docker_changes.c \
	$(top_srcdir)/tools/backends/unix_http.c $(top_srcdir)/tools/backends/unix_peer.c \
	$(top_srcdir)/nss_vmhosts/clock.c
FUZZ_EVENTS_INCLUDES = $(top_srcdir)/tools/backends/docker/docker_events.h \
	$(top_srcdir)/tools/backends/docker/docker_changes.h \
	$(top_srcdir)/tools/backends/unix_http.h $(top_srcdir)/tools/backends/unix_peer.h \
	$(top_srcdir)/nss_vmhosts/clock.h
fuzz/fuzz_events: $(top_srcdir)/fuzz/fuzz_events.c $(FUZZ_EVENTS_CODE) fuzz/fuzzcode.a \
		$(FUZZ_INCLUDES) $(FUZZ_EVENTS_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) $(CURL_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_EVENTS_CODE) \
		fuzz/fuzzcode.a $(CURL_LIBS) $(JANSSON_LIBS)
fuzz-targets: fuzz/fuzz_events
clean-local: clean-fuzz-events
clean-fuzz-events:
	rm -f fuzz/fuzz_events
.PHONY: clean-fuzz-events
