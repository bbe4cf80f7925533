# fuzz/fuzz.mk: libFuzzer targets and their regression replays; included
# from Makefile.am.
#
#   make fuzz                 every target for FUZZ_SECONDS each (600)
#   make fuzz-targets         just build them (clang -fsanitize=fuzzer)
#
# Found crashes land in fuzz/artifacts/ of the build folder; copy each into
# fuzz/regressions/<target>/ in the source tree, where the replay tests
# (built with the ordinary compiler, run by make check) keep it fixed.

FUZZ_TARGETS = cache docker multipass names lxd libvirt
FUZZ_SECONDS = 600
FUZZ_CC = clang
FUZZ_FLAGS = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CPPFLAGS = -std=c11 -D_GNU_SOURCE -I$(top_srcdir)/nss_vmhosts \
	$(TOOLS_DIRS:%=-I$(top_srcdir)/tools/%) -I$(top_builddir) $(JANSSON_CFLAGS) $(YAJL_CFLAGS)
# Everything a target can reach: parsers, the cache reader and writer, the
# resolver and packing.  No network, no processes, no files but the seeds.
FUZZ_CODE_FILES = nss_vmhosts/config.c nss_vmhosts/names.c nss_vmhosts/cache_read.c \
	nss_vmhosts/resolve.c nss_vmhosts/pack.c \
	tools/snapshot/snapshot.c tools/snapshot/cache_write.c tools/snapshot/cache_verify.c \
	tools/snapshot/cache_same.c \
	tools/snapshot/id_table.c tools/snapshot/grow.c tools/snapshot/key_sort.c \
	tools/snapshot/text_index.c \
	tools/backends/docker/docker_json.c tools/backends/docker/docker_list.c \
	tools/backends/docker/docker_list_fields.c tools/backends/docker/docker_shared_network.c \
	tools/backends/docker/docker_changes.c \
	tools/backends/docker/docker_entry.c tools/backends/docker/docker_entry_host.c \
	tools/backends/docker/docker_entry_networks.c tools/backends/multipass/multipass_json.c \
	tools/backends/lxd/lxd_json.c tools/backends/libvirt/libvirt_json.c \
	tools/backends/libvirt/libvirt_match.c

# The ordinary compiler replays every seed and found crash (make check).
FUZZ_REPLAYS = fuzz/replay_cache fuzz/replay_docker fuzz/replay_multipass fuzz/replay_names \
	fuzz/replay_lxd fuzz/replay_libvirt
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS) tests/fuzz-short.sh
fuzz_replay_cache_SOURCES = fuzz/replay.c fuzz/fuzz_cache.c
fuzz_replay_cache_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_DIRS='"fuzz/seeds/cache:fuzz/regressions/cache"'
fuzz_replay_cache_LDADD = $(TEST_LIBS)
fuzz_replay_docker_SOURCES = fuzz/replay.c fuzz/fuzz_docker.c
fuzz_replay_docker_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"tests/fixtures/docker:fuzz/seeds/docker:fuzz/regressions/docker"'
fuzz_replay_docker_LDADD = $(TEST_LIBS)
fuzz_replay_multipass_SOURCES = fuzz/replay.c fuzz/fuzz_multipass.c
fuzz_replay_multipass_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"tests/fixtures/multipass:fuzz/seeds/multipass:fuzz/regressions/multipass"'
fuzz_replay_multipass_LDADD = $(TEST_LIBS)
fuzz_replay_names_SOURCES = fuzz/replay.c fuzz/fuzz_names.c
fuzz_replay_names_CPPFLAGS = $(AM_CPPFLAGS) -DREPLAY_DIRS='"fuzz/seeds/names:fuzz/regressions/names"'
fuzz_replay_names_LDADD = $(TEST_LIBS)
fuzz_replay_lxd_SOURCES = fuzz/replay.c fuzz/fuzz_lxd.c
fuzz_replay_lxd_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"tests/fixtures/lxd:fuzz/seeds/lxd:fuzz/regressions/lxd"'
fuzz_replay_lxd_LDADD = $(TEST_LIBS)
fuzz_replay_libvirt_SOURCES = fuzz/replay.c fuzz/fuzz_libvirt.c
fuzz_replay_libvirt_CPPFLAGS = $(AM_CPPFLAGS) \
	-DREPLAY_DIRS='"fuzz/seeds/libvirt:fuzz/regressions/libvirt"'
fuzz_replay_libvirt_LDADD = $(TEST_LIBS)

EXTRA_DIST += fuzz/seed_cache.c fuzz/check_hosts.h fuzz/seeds fuzz/regressions tests/fuzz-short.sh

# --- the libFuzzer builds (clang), outside automake's programs -------------
# The shared code once, instrumented for coverage, in one archive.  Outside
# automake there is no dependency tracking: every header the code includes
# is a prerequisite, so a changed struct never mixes old and new objects.
FUZZ_CODE_PATHS = $(FUZZ_CODE_FILES:%=$(top_srcdir)/%)
FUZZ_INCLUDES = $(top_srcdir)/fuzz/check_hosts.h \
	$(top_srcdir)/nss_vmhosts/cache.h $(top_srcdir)/nss_vmhosts/cache_format.h \
	$(top_srcdir)/nss_vmhosts/config.h $(top_srcdir)/nss_vmhosts/names.h \
	$(top_srcdir)/nss_vmhosts/pack.h $(top_srcdir)/nss_vmhosts/resolve.h \
	$(top_srcdir)/tools/snapshot/snapshot.h $(top_srcdir)/tools/snapshot/id_table.h \
	$(top_srcdir)/tools/backends/docker/docker.h $(top_srcdir)/tools/backends/docker/docker_list.h \
	$(top_srcdir)/tools/backends/docker/docker_entry.h \
	$(top_srcdir)/tools/backends/multipass/multipass.h $(top_srcdir)/tools/backends/lxd/lxd.h \
	$(top_srcdir)/tools/backends/libvirt/libvirt.h $(top_srcdir)/tools/backends/libvirt/libvirt_match.h \
	$(top_srcdir)/tools/snapshot/text_index.h \
	$(top_srcdir)/nss_vmhosts/backends.h $(top_srcdir)/nss_vmhosts/backends.def
fuzz/fuzzcode.a: $(FUZZ_CODE_PATHS) $(FUZZ_INCLUDES)
	@rm -rf fuzz/obj && mkdir -p fuzz/obj
	$(AM_V_CC)for source in $(FUZZ_CODE_PATHS); do \
		object=fuzz/obj/`basename $$source .c`.o; \
		$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link \
			-c -o $$object $$source || exit 1; \
	done
	$(AM_V_at)rm -f $@ && $(AR) cr $@ fuzz/obj/*.o

FUZZ_LINK = $(FUZZ_CC) $(FUZZ_CPPFLAGS) $(FUZZ_FLAGS)
fuzz/fuzz_cache: $(top_srcdir)/fuzz/fuzz_cache.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/fuzz_docker: $(top_srcdir)/fuzz/fuzz_docker.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/fuzz_multipass: $(top_srcdir)/fuzz/fuzz_multipass.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/fuzz_names: $(top_srcdir)/fuzz/fuzz_names.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/fuzz_lxd: $(top_srcdir)/fuzz/fuzz_lxd.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/fuzz_libvirt: $(top_srcdir)/fuzz/fuzz_libvirt.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)
fuzz/seed_cache: $(top_srcdir)/fuzz/seed_cache.c fuzz/fuzzcode.a $(FUZZ_INCLUDES)
	$(AM_V_CCLD)$(FUZZ_LINK) -fsanitize=fuzzer-no-link -o $@ $< fuzz/fuzzcode.a $(JANSSON_LIBS) $(YAJL_LIBS)

fuzz-targets: fuzz/fuzz_cache fuzz/fuzz_docker fuzz/fuzz_multipass fuzz/fuzz_names fuzz/fuzz_lxd \
	fuzz/fuzz_libvirt fuzz/seed_cache

# fuzz-run-TARGET SECONDS: a working corpus in the build folder, seeded from
# the fixtures, the committed seeds and a fresh valid cache.
fuzz-corpus: fuzz/seed_cache
	@for target in $(FUZZ_TARGETS); do mkdir -p fuzz/corpus/$$target fuzz/artifacts; done
	@cp -f $(top_srcdir)/tests/fixtures/docker/*.json fuzz/corpus/docker/
	@cp -f $(top_srcdir)/tests/fixtures/multipass/*.json fuzz/corpus/multipass/
	@cp -f $(top_srcdir)/tests/fixtures/lxd/*.json fuzz/corpus/lxd/
	@for target in $(FUZZ_TARGETS); do \
		for dir in seeds regressions; do \
			test ! -d $(top_srcdir)/fuzz/$$dir/$$target || \
				cp -f $(top_srcdir)/fuzz/$$dir/$$target/* fuzz/corpus/$$target/ 2>/dev/null; \
		done; done; true
	@./fuzz/seed_cache fuzz/corpus/cache/valid.cache
	@./fuzz/seed_cache fuzz/corpus/cache/many.cache 150

fuzz: fuzz-targets fuzz-corpus
	@status=0; for target in $(FUZZ_TARGETS); do \
		echo "fuzz_$$target: $(FUZZ_SECONDS) s"; \
		./fuzz/fuzz_$$target -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-max_len=65536 -artifact_prefix=fuzz/artifacts/$$target- \
			-print_final_stats=1 fuzz/corpus/$$target 2>fuzz/fuzz_$$target.log || status=1; \
		grep -E '^(Done|stat::number_of_executed_units)' fuzz/fuzz_$$target.log; \
		done; exit $$status

clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz/obj fuzz/corpus fuzz/artifacts fuzz/*.log fuzz/fuzzcode.a \
		fuzz/fuzz_cache fuzz/fuzz_docker fuzz/fuzz_multipass fuzz/fuzz_names fuzz/fuzz_lxd \
		fuzz/fuzz_libvirt fuzz/seed_cache

.PHONY: fuzz fuzz-targets fuzz-corpus clean-fuzz
