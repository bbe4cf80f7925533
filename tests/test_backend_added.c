/* A backend added by one line of backends.def (tests/backend_added/): the
 * module, built with that list and no other change, reads the new
 * backend's settings, owns its names, answers them from its own section
 * of the cache only, and names its machines in reverse.  The same
 * instance name in two backends stays two machines. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "names.h"
#include "resolve.h"
#include "snapshot.h"

_Static_assert(VMH_BACKEND_LAB == VMH_BACKEND_COUNT - 1, "built with tests/backend_added/backends.def");

static void add(struct vmh_snapshot *snapshot, enum vmh_backend backend, const char *name,
                const char *address)
{
    struct vmh_host *host = vmh_snapshot_add(snapshot);
    if (!host || vmh_host_copy_name(&host->name, name) != 0 ||
        !vmh_host_add_address(host, address)) {
        printf("Bail out! cannot build the snapshot\n");
        exit(1);
    }
    host->backend = (uint8_t)backend;
    host->state = VMH_STATE_RUNNING;
}

static void test_settings(struct vmh_config *config)
{
    vmh_config_defaults(config);
    CHECK_STR(config->domains[VMH_BACKEND_LAB], "lab.test", "default lab_domains");
    CHECK_INT(config->ttl_s[VMH_BACKEND_LAB], 5, "default lab_ttl");
    CHECK_STR(config->source[VMH_BACKEND_LAB], "/run/lab.socket", "default lab_socket");
    const char *text = "lab_domains = Lab.Test. vms.lab\nlab_ttl = 7\n";
    CHECK(vmh_config_parse(config, text, strlen(text), NULL, NULL) == 0 &&
              strcmp(config->domains[VMH_BACKEND_LAB], "lab.test vms.lab") == 0 &&
              config->ttl_s[VMH_BACKEND_LAB] == 7,
          "the new backend's settings are read like any other");
    CHECK_STR(vmh_config_key_name(VMH_CONF_DOMAINS(VMH_BACKEND_LAB)), "lab_domains",
              "its key's name");
}

static void test_names(const struct vmh_config *config)
{
    struct vmh_name name;
    CHECK(vmh_name_classify("Box.Lab.Test.", config, &name) == VMH_NAME_UNDER &&
              name.backend == VMH_BACKEND_LAB && strcmp(name.key, "box") == 0 &&
              strcmp(name.domain, "lab.test") == 0,
          "Box.Lab.Test.: the lab's");
    CHECK(vmh_name_classify("a.box.lab.test", config, &name) == VMH_NAME_NOT_OURS,
          "an instance name is one label");
    CHECK(vmh_name_classify("box.example.org", config, &name) == VMH_NAME_UNDER &&
              name.backend == VMH_BACKEND_MULTIPASS,
          "box.example.org: still multipass's");
}

static void lookup(const struct vmh_cache *cache, const struct vmh_config *config,
                   const char *text, const char *expected, const char *what)
{
    struct vmh_name name;
    struct vmh_answer answer;
    char address[INET6_ADDRSTRLEN] = "";
    vmh_name_classify(text, config, &name);
    vmh_resolve(cache, &name, AF_UNSPEC, &answer);
    if (answer.result == VMH_FOUND)
        inet_ntop(AF_INET, answer.addrs[0].bytes, address, sizeof address);
    CHECK_STR(answer.result == VMH_FOUND ? address : "(none)", expected, what);
}

static void test_answers(const struct vmh_config *config)
{
    struct vmh_snapshot snapshot;
    struct vmh_cache cache;
    unsigned char *data = NULL;
    size_t size = 0;
    vmh_snapshot_init(&snapshot);
    add(&snapshot, VMH_BACKEND_MULTIPASS, "box", "10.0.0.5");
    add(&snapshot, VMH_BACKEND_LAB, "box", "10.9.0.5");
    add(&snapshot, VMH_BACKEND_LAB, "only-lab", "10.9.0.6");
    for (int b = 0; b < VMH_BACKEND_COUNT; b++) {
        snapshot.backends[b].status = VMH_STATUS_OK;
        snapshot.backends[b].updated_ms = snapshot.backends[b].attempted_ms = 1700000000000;
    }
    if (vmh_cache_build(&snapshot, 1700000000000, &data, &size) != 0 ||
        vmh_cache_parse(&cache, data, size) != VMH_CACHE_OK) {
        printf("Bail out! cannot build the cache\n");
        exit(1);
    }
    lookup(&cache, config, "box.lab.test", "10.9.0.5", "box.lab.test: the lab's box");
    lookup(&cache, config, "box.example.org", "10.0.0.5", "box.example.org: multipass's box");
    lookup(&cache, config, "only-lab.lab.test", "10.9.0.6", "only-lab.lab.test");
    lookup(&cache, config, "only-lab.example.org", "(none)",
           "only-lab.example.org: a lab machine never answers under multipass's domain");

    struct vmh_answer answer;
    unsigned char address[4] = {10, 9, 0, 6};
    vmh_resolve_address(&cache, config, AF_INET, address, &answer);
    CHECK_STR(answer.canonical, "only-lab.lab.test", "reverse: named under its own domain");
    vmh_snapshot_free(&snapshot);
    vmh_cache_forget(&cache);
    free(data);
}

int main(void)
{
    struct vmh_config config;
    test_settings(&config);
    vmh_config_defaults(&config);
    test_names(&config);
    test_answers(&config);
    return check_done();
}
