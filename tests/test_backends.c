/* The backend table (tools/backends/backend.h): every section of the cache
 * has exactly one entry, every name of ours exactly one backend (the one
 * the module asks), and every entry is complete, so that code going through
 * the table never meets a hole. */
#include <stdio.h>

#include "backend.h"
#include "decide.h"
#include "check.h"
#include "set_setting.h"

static size_t count_backends(void)
{
    size_t count = 0;
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        count++;
    return count;
}

static void test_sections(void)
{
    CHECK_INT(count_backends(), VMH_BACKEND_COUNT, "one backend per section of the cache");
    for (unsigned section = 0; section < VMH_BACKEND_COUNT; section++) {
        const struct vmh_backend_ops *ops = vmh_backend_of((enum vmh_backend)section);
        char what[96];
        snprintf(what, sizeof what, "section %u has a backend", section);
        CHECK(ops && ops->section == section, what);
        snprintf(what, sizeof what, "section %u: vmh_backend_name is its name", section);
        CHECK_STR(vmh_backend_name(section), ops ? ops->name : "", what);
    }
    CHECK(vmh_backend_of(VMH_BACKEND_COUNT) == NULL, "no backend past the last section");
    CHECK_STR(vmh_backend_name(VMH_BACKEND_COUNT), "unknown", "a section no backend fills");
}

static void test_names(void)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        char what[96];
        snprintf(what, sizeof what, "%s: found by its name", (*ops)->name);
        CHECK(vmh_backend_by_name((*ops)->name) == *ops, what);
        /* `vmhosts refresh --backend all` means every backend. */
        snprintf(what, sizeof what, "%s: not called \"all\"", (*ops)->name);
        CHECK(strcmp((*ops)->name, "all") != 0, what);
    }
    CHECK(vmh_backend_by_name("all") == NULL, "\"all\" is no backend");
    CHECK(vmh_backend_by_name("Docker") == NULL, "names are exact");
    CHECK(vmh_backend_by_name("") == NULL, "the empty name is no backend");
}

static void test_complete(void)
{
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++) {
        const struct vmh_backend_ops *b = *ops;
        char what[96];
        snprintf(what, sizeof what, "%s: nouns and every operation", b->name);
        CHECK(b->name[0] && b->noun && b->nouns && b->refresh && b->poll_interval_ms &&
                  b->advice && b->probe,
              what);
        snprintf(what, sizeof what, "%s: answers some names, never those not ours", b->name);
    }
}

/* Advice for every failure, never empty; a message is only a hint. */
static void test_advice(void)
{
    static const uint32_t failures[] = {VMH_STATUS_UNAVAILABLE, VMH_STATUS_DENIED,
                                        VMH_STATUS_ERROR};
    for (const struct vmh_backend_ops *const *ops = vmh_backends(); *ops; ops++)
        for (size_t i = 0; i < sizeof failures / sizeof failures[0]; i++) {
            const char *text = (*ops)->advice(failures[i], "");
            char what[96];
            snprintf(what, sizeof what, "%s: advice for status %u", (*ops)->name,
                     (unsigned)failures[i]);
            CHECK(text && text[0], what);
        }
    const struct vmh_backend_ops *docker = vmh_backend_of(VMH_BACKEND_DOCKER);
    CHECK(strstr(docker->advice(VMH_STATUS_DENIED, "permission denied on /x"),
                 "or add your user to the docker group") != NULL,
          "docker: the permission advice");
    CHECK(strstr(docker->advice(VMH_STATUS_UNAVAILABLE, "/x does not exist"),
                 "the socket does not exist: start Docker") != NULL,
          "docker: a missing socket");
}

static void test_times(void)
{
    struct vmh_config config;
    vmh_config_defaults(&config);
    config.ttl_s[VMH_BACKEND_DOCKER] = 7;
    config.ttl_s[VMH_BACKEND_MULTIPASS] = 42;
    const struct vmh_backend_ops *docker = vmh_backend_of(VMH_BACKEND_DOCKER);
    const struct vmh_backend_ops *multipass = vmh_backend_of(VMH_BACKEND_MULTIPASS);
    CHECK_INT(vmh_backend_ttl_s(&config, docker->section), 7, "docker: kept for ttl");
    CHECK_INT(vmh_backend_ttl_s(&config, multipass->section), 42,
              "multipass: kept for multipass_ttl");
    CHECK_INT(docker->poll_interval_ms(&config), 0, "docker: not polled, its events tell");
    CHECK_INT(multipass->poll_interval_ms(&config), 42000, "multipass: polled every multipass_ttl");
}

/* What a live check said, as `vmhosts status` would print it. */
struct heard {
    char text[1024];
    unsigned findings;
    enum vmh_level worst;
};

static void hear(void *context, enum vmh_level level, const char *text, const char *advice)
{
    struct heard *heard = context;
    size_t used = strlen(heard->text);
    snprintf(heard->text + used, sizeof heard->text - used, "%s%s%s%s", used ? "\n" : "", text,
             advice ? " / do: " : "", advice ? advice : "");
    heard->findings++;
    heard->worst = level > heard->worst ? level : heard->worst;
}

static void run_probe(const struct vmh_backend_ops *ops, const struct vmh_config *config,
                      struct heard *heard, struct vmh_probe *probe)
{
    struct vmh_probe_sink sink = {.say = hear, .context = heard};
    memset(heard, 0, sizeof *heard);
    memset(probe, 0, sizeof *probe);
    ops->probe(config, &sink, probe);
}

static void test_probes(void)
{
    struct vmh_config config;
    struct heard heard;
    struct vmh_probe probe;
    vmh_config_defaults(&config);
    set_setting(&config, VMH_CONF_SOURCE(VMH_BACKEND_DOCKER), "/nonexistent/a.sock /nonexistent/b.sock");
    set_setting(&config, VMH_CONF_SOURCE(VMH_BACKEND_MULTIPASS), "/nonexistent/multipass");

    run_probe(vmh_backend_of(VMH_BACKEND_DOCKER), &config, &heard, &probe);
    CHECK_INT(heard.findings, 2, "docker probe: a finding per socket");
    CHECK_STR(heard.text, "/nonexistent/a.sock: does not exist\n/nonexistent/b.sock: does not exist",
              "docker probe: each socket, missing");
    CHECK_INT(heard.worst, VMH_NOTE, "docker probe: a missing socket is a note");
    CHECK(!probe.reachable && !probe.said_all, "docker probe: not reachable, the cache matters");
    CHECK(probe.unreachable && strstr(probe.unreachable, "cannot reach Docker"),
          "docker probe: the problem when no watcher answers");
    CHECK(probe.advice && strncmp(probe.advice, "start Docker", 12) == 0,
          "docker probe: what to do about a missing socket");

    run_probe(vmh_backend_of(VMH_BACKEND_MULTIPASS), &config, &heard, &probe);
    CHECK_INT(heard.findings, 1, "multipass probe: one finding");
    CHECK(strstr(heard.text, "/nonexistent/multipass: not installed: VM names do not resolve / "
                             "do: sudo snap install multipass") == heard.text,
          "multipass probe: not installed, and what to do");
    CHECK_INT(heard.worst, VMH_WARNING, "multipass probe: not installed is a warning");
    CHECK(probe.said_all && !probe.reachable, "multipass probe: nothing more to say");

    set_setting(&config, VMH_CONF_SOURCE(VMH_BACKEND_MULTIPASS), "/bin/true");
    run_probe(vmh_backend_of(VMH_BACKEND_MULTIPASS), &config, &heard, &probe);
    CHECK_STR(heard.text, "/bin/true is installed", "multipass probe: installed");
    CHECK(!probe.said_all && !probe.reachable && !probe.unreachable,
          "multipass probe: installed; a failure the cache recorded is the problem");
}

int main(void)
{
    test_sections();
    test_names();
    test_complete();
    test_advice();
    test_times();
    test_probes();
    return check_done();
}
