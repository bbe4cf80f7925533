# bench/bench.mk: `make bench`, the benchmark of issue 5; included from
# Makefile.am.  Not part of `make check`: it measures, it passes or fails
# nothing.
#
#   make bench                          every section, default sizes
#   make bench BENCH_ARGS='--rounds 15 --sizes "10 100" --sections 1,2'
#
# bench/run-bench --help tells every option.  It needs root (mount
# namespaces, its own dockerd) like the end-to-end tests.

BENCH_ARGS =
BENCH_CFLAGS = -std=c11 -Wall -Wextra $(WERROR_CFLAGS) -O2 -D_GNU_SOURCE

# A plain rule, not an automake program: built by `make bench` only.
bench/bench_lookup$(EXEEXT): $(top_srcdir)/bench/bench_lookup.c
	@mkdir -p bench
	$(AM_V_CC)$(CC) $(BENCH_CFLAGS) $(CFLAGS) -o $@ $(top_srcdir)/bench/bench_lookup.c

# The floor: an NSS module that answers nothing at once (see nss_floor.c).
bench/libnss_floor.so.2: $(top_srcdir)/bench/nss_floor.c
	@mkdir -p bench
	$(AM_V_CC)$(CC) $(BENCH_CFLAGS) $(CFLAGS) -fPIC -shared -Wl,-soname,libnss_floor.so.2 \
		-o $@ $(top_srcdir)/bench/nss_floor.c

# The cache writer's build alone, linked to the tool's code as the tests are.
EXTRA_PROGRAMS = bench/bench_build
bench_bench_build_SOURCES = bench/bench_build.c
bench_bench_build_LDADD = $(TEST_LIBS)

bench-programs: bench/bench_lookup$(EXEEXT) bench/libnss_floor.so.2 bench/bench_build$(EXEEXT)

bench: all bench-programs
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		bash $(top_srcdir)/bench/run-bench $(BENCH_ARGS)

clean-bench:
	rm -f bench/bench_lookup$(EXEEXT) bench/libnss_floor.so.2 bench/bench_build$(EXEEXT)

.PHONY: bench bench-programs clean-bench

EXTRA_DIST += bench/bench_lookup.c bench/nss_floor.c bench/run-bench bench/lib-bench.sh \
	bench/docker-standin.py bench/lxd-standin.py bench/libvirt-leases.py \
	bench/unix_http_server.py bench/churn.py
