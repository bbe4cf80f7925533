/* bench_build: what building the cache again costs the watcher after a
 * Docker event, its keys sorted whole and taken in the last file's order.
 *
 *   bench_build [-r ROUNDS] DIR
 *       DIR/hosts.cache read back into hosts as the watcher keeps them
 *       (tools/refresh/retained.h: each knows its record), its first
 *       container stopped, as an event leaves them; then built
 *       ROUNDS times each way, in turns.  Prints the CPU time of the
 *       fastest build of each, in milliseconds, and whether the second
 *       kept the file's order, as key=value pairs for run-bench.
 *
 * The build alone, with no write, no list and no event: section 8's
 * watcher figures count ticks of 10 ms over a few events, which a change
 * of a tenth of an event does not show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "snapshot.h"

static double cpu_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* The CPU time of one build; `previous` NULL: sorted whole.  Sets *kept
 * to what vmh_cache_build_after says. */
static double timed_build(const struct vmh_snapshot *hosts, const struct vmh_cache *previous,
                          int *kept)
{
    unsigned char *data = NULL;
    size_t size;
    double start = cpu_ms();
    *kept = vmh_cache_build_after(hosts, previous, 1, &data, &size);
    double took = cpu_ms() - start;
    free(data);
    return took;
}

/* The file's hosts in record order, each with its record but the first
 * Docker container, stopped: the event's answer, which comes first in its
 * section (tools/refresh/refresh.c). */
static int hosts_after_event(const struct vmh_cache *cache, struct vmh_snapshot *hosts)
{
    vmh_snapshot_init(hosts);
    if (vmh_snapshot_from_cache(hosts, cache, VMH_SNAPSHOT_ALL) != 0)
        return -1;
    for (size_t i = 0; i < hosts->count; i++)
        hosts->hosts[i].was_record = (uint32_t)i + 1;
    for (size_t i = 0; i < hosts->count; i++)
        if (hosts->hosts[i].backend == VMH_BACKEND_DOCKER) {
            hosts->hosts[i].was_record = 0;
            hosts->hosts[i].state = VMH_STATE_STOPPED;
            hosts->hosts[i].addr_count = 0;
            return 0;
        }
    return -1;
}

int main(int argc, char **argv)
{
    int rounds = 9, option;
    while ((option = getopt(argc, argv, "r:")) != -1)
        if (option == 'r')
            rounds = atoi(optarg);
    if (optind != argc - 1 || rounds < 1) {
        fprintf(stderr, "usage: bench_build [-r ROUNDS] DIR\n");
        return 2;
    }
    struct vmh_cache cache;
    struct stat st;
    struct vmh_snapshot hosts;
    /* Checked whole, as the refresher checks a file it reads back. */
    if (vmh_cache_load(argv[optind], geteuid(), &cache, &st) != VMH_CACHE_OK ||
        !vmh_cache_verify_all(&cache) || hosts_after_event(&cache, &hosts) != 0) {
        fprintf(stderr, "bench_build: %s: no cache with a Docker container\n", argv[optind]);
        return 1;
    }
    double whole = 1e300, in_order = 1e300;
    int kept = 0, ignored;
    for (int round = 0; round < rounds; round++) {
        double took = timed_build(&hosts, NULL, &ignored);
        whole = took < whole ? took : whole;
        took = timed_build(&hosts, &cache, &kept);
        in_order = took < in_order ? took : in_order;
    }
    printf("hosts=%zu whole_ms=%.1f in_order_ms=%.1f kept_order=%s\n", hosts.count, whole,
           in_order, kept == 1 ? "yes" : "no");
    vmh_snapshot_free(&hosts);
    vmh_cache_free(&cache);
    return 0;
}
