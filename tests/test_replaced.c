/* A process that maps a cache sees the next one at its next lookup: the
 * writer marks the file it replaces (cache_format.h, `replaced`), and a
 * hit reads that mark instead of waiting for its next look at the file's
 * name, which lookups share per clock tick (nss_vmhosts/state.c).  The
 * module's clocks stand still here, so that "the same tick" is exact. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "held_clock.h"
#include "web_cache.h"

static char top[] = "/tmp/vmhosts-test-replaced-XXXXXX";
static char cache[300], elsewhere[300];

/* The user's cache folder and root's are the same one: whoever runs the
 * test reads it as their own. */
static void setup(void)
{
    char conf_path[340];
    if (!mkdtemp(top))
        printf("# mkdtemp failed\n");
    chmod(top, 0755);
    snprintf(cache, sizeof cache, "%s/cache", top);
    snprintf(elsewhere, sizeof elsewhere, "%s/elsewhere", top);
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", top);
    FILE *conf = fopen(conf_path, "w");
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s\nttl = 3600\n"
                  "refresh_command = /nonexistent/vmhosts\n", cache, cache);
    fclose(conf);
    setenv("VMHOSTS_CONF", conf_path, 1);
}

int main(void)
{
    char from[340], to[340];
    held_ms = 1000000;
    setup();
    write_web(cache, "10.1.0.1", vmh_realtime_ms());
    CHECK_STR(web_address(), "10.1.0.1", "the first cache answers");

    write_web(cache, "10.1.0.2", vmh_realtime_ms());
    CHECK_STR(web_address(), "10.1.0.2",
              "a cache the writer put in place answers at the next lookup, the same tick");
    CHECK_STR(web_address(), "10.1.0.2", "... and at the one after");

    /* Without the mark (a file renamed over the cache by hand), the look
     * is shared for the rest of the tick, as before the mark existed. */
    write_web(elsewhere, "10.1.0.3", vmh_realtime_ms());
    snprintf(from, sizeof from, "%s/hosts.cache", elsewhere);
    snprintf(to, sizeof to, "%s/hosts.cache", cache);
    CHECK(rename(from, to) == 0, "a cache renamed into place by hand, unmarked");
    CHECK_STR(web_address(), "10.1.0.2", "... in the same tick: the cache looked at last");
    held_ms++;
    CHECK_STR(web_address(), "10.1.0.3", "... a tick on: the new one");

    check_remove_tree(top);
    return check_done();
}
