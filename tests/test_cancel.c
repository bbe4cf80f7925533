/* A thread with a cancel pending runs its lookup to the end, and is
 * cancelled after it (state.c, struct cancel_hold): for a first lookup
 * that reads the settings and the cache, a cache read again, a lookup
 * that waits for the refresher, a reverse lookup and a warm hit.  Each
 * would otherwise be cancelled in its first open() or poll() with the
 * module's locks held. */
#include <arpa/inet.h>
#include <ftw.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "fixture_hosts.h"
#include "nss_vmhosts.h"
#include "snapshot.h"
#include "state.h"

/* BY_NAME_APART: the lookup and the refresh it asks for called apart, as
 * the DNS face does (state.h). */
enum kind { BY_NAME, BY_ADDRESS, BY_NAME_APART };

struct run {
    enum kind kind;
    const char *query;
    enum nss_status status;
    bool returned;
    int state_after;
};

static char scratch[] = "/tmp/vmhosts-test-cancel-XXXXXX";
static char cache_dir[300], conf_path[300], marker[300];

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

/* One running container, web (172.17.0.2), every backend stamped `now`. */
static void write_cache(int64_t now)
{
    struct vmh_snapshot snapshot;
    char err[256];
    vmh_snapshot_init(&snapshot);
    fixture_add_host(&snapshot, VMH_BACKEND_DOCKER, "web", NULL, NULL, true, "172.17.0.2");
    for (int b = 0; b < VMH_BACKEND_COUNT; b++)
        snapshot.backends[b] = (struct vmh_backend_state){now, now, VMH_STATUS_OK, ""};
    if (vmh_cache_write(cache_dir, 0755, &snapshot, now, err, sizeof err) != 0)
        printf("# cache write failed: %s\n", err);
    vmh_snapshot_free(&snapshot);
}

/* Settings whose refresher leaves `marker` behind. */
static void setup(void)
{
    char script[320], touch[340];
    mkdtemp(scratch);
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", scratch);
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", scratch);
    snprintf(marker, sizeof marker, "%s/refreshed", scratch);
    snprintf(script, sizeof script, "%s/refresher", scratch);
    snprintf(touch, sizeof touch, "touch %s", marker);
    check_write_script(script, touch);
    FILE *file = fopen(conf_path, "w");
    fprintf(file, "cache_dir = %s\nuser_cache_dir = %s\nttl = 3600\nrefresh_interval_ms = 0\n"
                  "refresh_command = %s\n",
            cache_dir, cache_dir, script);
    fclose(file);
    setenv("VMHOSTS_CONF", conf_path, 1);
}

/* No cancellation point between the cancel and the lookup, nor between
 * the lookup and pthread_testcancel. */
static void *lookup_cancelled(void *argument)
{
    struct run *run = argument;
    struct hostent host;
    struct gaih_addrtuple *tuple = NULL;
    char buffer[1024];
    int err, herr;
    struct in_addr address;
    pthread_cancel(pthread_self());
    if (run->kind == BY_NAME) {
        run->status = _nss_vmhosts_gethostbyname4_r(run->query, &tuple, buffer, sizeof buffer,
                                                    &err, &herr, NULL);
    } else if (run->kind == BY_NAME_APART) {
        struct vmh_answer answer;
        struct vmh_trigger trigger;
        int32_t ttl;
        if (vmh_state_lookup_nowait(run->query, AF_INET, &answer, &ttl, &trigger))
            vmh_state_refresh(&trigger);
        run->status = answer.result == VMH_FOUND ? NSS_STATUS_SUCCESS : NSS_STATUS_NOTFOUND;
    } else {
        inet_pton(AF_INET, run->query, &address);
        run->status = _nss_vmhosts_gethostbyaddr2_r(&address, 4, AF_INET, &host, buffer,
                                                    sizeof buffer, &err, &herr, NULL);
    }
    run->returned = true;
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &run->state_after);
    pthread_testcancel();
    return NULL;
}

static void check_cancelled_lookup(enum kind kind, const char *query, const char *what)
{
    struct run run = {.kind = kind, .query = query, .state_after = -1};
    pthread_t thread;
    void *result = NULL;
    char text[200];
    if (pthread_create(&thread, NULL, lookup_cancelled, &run) != 0 ||
        pthread_join(thread, &result) != 0)
        printf("# cannot run the thread\n");
    snprintf(text, sizeof text, "%s: the lookup runs to its end", what);
    CHECK(run.returned, text);
    snprintf(text, sizeof text, "%s: and answers", what);
    CHECK_INT(run.status, NSS_STATUS_SUCCESS, text);
    snprintf(text, sizeof text, "%s: cancellation is enabled again after it", what);
    CHECK_INT(run.state_after, PTHREAD_CANCEL_ENABLE, text);
    snprintf(text, sizeof text, "%s: the cancel acts then", what);
    CHECK(result == PTHREAD_CANCELED, text);
}

/* A new version of the cache, seen a clock tick on. */
static void rewrite_cache(int64_t stamp)
{
    write_cache(stamp);
    usleep((VMH_COARSE_LAG_MS + 1) * 1000);
}

int main(void)
{
    setup();
    write_cache(vmh_realtime_ms());
    check_cancelled_lookup(BY_NAME, "web.docker", "a first lookup, settings and cache read");
    check_cancelled_lookup(BY_NAME, "web.docker", "a warm hit");
    rewrite_cache(vmh_realtime_ms());
    check_cancelled_lookup(BY_NAME, "web.docker", "a cache read again");
    rewrite_cache(vmh_realtime_ms());
    check_cancelled_lookup(BY_ADDRESS, "172.17.0.2", "a reverse lookup, cache read again");
    /* Two hours old with a ttl of one: a hit waits for the refresher. */
    rewrite_cache(vmh_realtime_ms() - 2 * 3600 * 1000);
    check_cancelled_lookup(BY_NAME, "web.docker", "a stale hit that waits for the refresher");
    CHECK(access(marker, F_OK) == 0, "... whose refresher did run");
    unlink(marker);
    rewrite_cache(vmh_realtime_ms() - 2 * 3600 * 1000);
    check_cancelled_lookup(BY_NAME_APART, "web.docker", "a stale hit, its refresh called apart");
    CHECK(access(marker, F_OK) == 0, "... whose refresher did run");
    nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
