/* Why a name does not resolve: the rule that decided (resolve.c), the
 * record behind it, and what a person can do about it. */
#include <string.h>
#include <unistd.h>

#include "explain_miss.h"
#include "rootless.h"
#include "texts.h"

static bool find_key(const struct vmh_cache *cache, enum vmh_key_kind kind, const char *key,
                     bool prefix, uint32_t *record)
{
    uint32_t first = 0;
    uint32_t count = prefix ? vmh_cache_find_prefix(cache, kind, key, &first)
                            : vmh_cache_find(cache, kind, key, &first);
    if (count > 0)
        *record = cache->keys[first].record;
    return count > 0;
}

static bool is_hex(const char *text)
{
    return text[0] && strspn(text, "0123456789abcdef") == strlen(text);
}

bool vmh_miss_find_record(const struct vmh_cache *cache, const struct vmh_name *name,
                          uint32_t *record)
{
    if (!cache || !cache->header)
        return false;
    if (name->kind == VMH_NAME_BARE)
        return find_key(cache, VMH_KEY_DOCKER_HOSTNAME, name->key, false, record);
    if (name->kind == VMH_NAME_LABEL)
        return find_key(cache, VMH_KEY_LABEL, name->normalized, false, record);
    if (name->kind != VMH_NAME_UNDER)
        return false;
    if (vmh_backend_names(name->backend) != VMH_NAMES_CONTAINER)
        return find_key(cache, VMH_KEY_INSTANCE, name->key, false, record);
    return find_key(cache, VMH_KEY_DOCKER_ID, name->key, false, record) ||
           find_key(cache, VMH_KEY_DOCKER_NAME, name->key, false, record) ||
           (is_hex(name->key) && find_key(cache, VMH_KEY_DOCKER_ID, name->key, true, record)) ||
           find_key(cache, VMH_KEY_COMPOSE, name->key, false, record) ||
           find_key(cache, VMH_KEY_NETWORK, name->key, false, record) ||
           find_key(cache, VMH_KEY_LABEL, name->normalized, false, record);
}

static void explain_not_ours(FILE *out, const struct vmh_cli_view *view,
                             const struct vmh_name *name)
{
    fputs("  why:    not a name vmhosts answers; it answers", out);
    for (unsigned b = 0; b < VMH_BACKEND_COUNT; b++) {
        const struct vmh_backend_ops *ops = vmh_backend_of((enum vmh_backend)b);
        if (ops && view->config->domains[b][0])
            fprintf(out, "%s<%s>.<%s>", b ? ", " : " ", ops->noun, view->config->domains[b]);
    }
    fputs(" and a container's bare\n"
          "          --hostname; the module answers UNAVAIL at once and the next source\n"
          "          on the hosts: line (dns) answers it\n",
          out);
    if (name->kind == VMH_NAME_NOT_OURS)
        fputs("  do:     nothing here: `getent hosts NAME` shows what DNS says\n", out);
}

static void explain_backend_down(FILE *out, const struct vmh_cli_view *view,
                                 const struct vmh_cli_cache *slot, const struct vmh_name *name)
{
    enum vmh_backend backend = name->backend;
    if (!slot) {
        fprintf(out, "  why:    no cache could be read (%s/%s: %s) and none could be written\n"
                     "  do:     run `vmhosts refresh`, which says why\n",
                view->own.dir, VMH_CACHE_FILE, vmh_cache_error_text(view->own.error));
        return;
    }
    const struct vmh_cache_backend *state = vmh_cache_state(&slot->cache, backend);
    const char *message = vmh_cache_string(&slot->cache, state->message);
    char attempted[64];
    vmh_format_age(state->attempted_ms, attempted, sizeof attempted);
    fprintf(out, "  why:    %s: %s when last asked (%s)%s%s\n", vmh_backend_name(backend),
            vmh_backend_status_name(state->status), attempted, message[0] ? ": " : "", message);
    fprintf(out, "          its names answer UNAVAIL: the old addresses may be another's by now\n");
    fprintf(out, "  do:     %s\n", vmh_backend_advice(backend, state->status, message));
}

/* "container vmh-web (ID 198f59db0fff)" or "VM primary": its backend's
 * noun, and the ID when it has one (Docker's records all do). */
static void describe_record(FILE *out, const struct vmh_cache *cache, uint32_t index)
{
    const struct vmh_cache_record *record = &cache->records[index];
    const struct vmh_backend_ops *ops = vmh_backend_of(vmh_record_backend(cache, record));
    const char *id = vmh_cache_string(cache, record->id);
    fprintf(out, "%s %s", ops ? ops->noun : "host", vmh_cache_string(cache, record->name));
    if (id[0])
        fprintf(out, " (ID %.12s)", id);
}

static void explain_not_running(FILE *out, const struct vmh_cache *cache, uint32_t index)
{
    const struct vmh_cache_record *record = &cache->records[index];
    const char *name = vmh_cache_string(cache, record->name);
    fputs("  why:    ", out);
    describe_record(out, cache, index);
    fputs(" exists but is not running;\n"
          "          only running containers and VMs resolve: a stopped one's last\n"
          "          address may already be another's\n",
          out);
    const struct vmh_backend_ops *ops = vmh_backend_of(vmh_record_backend(cache, record));
    if (ops)
        fprintf(out, "  do:     %s %s\n", ops->start_command, name);
}

/* Which of uid's rootless engines listed a container: the cache does not
 * say, the sockets there are do when only one of the two is, and no
 * engine uid runs is listed in docker_socket (`listed`).  As
 * VMH_ROOTLESS_PODMAN or VMH_ROOTLESS_DOCKER, -1 when not known. */
static int rootless_engine(uid_t uid, const char *listed)
{
    int found = -1, count = vmh_rootless_listed_present(uid, listed) ? 1 : 0;
    for (unsigned i = 0; i < VMH_ROOTLESS_SOCKET_COUNT; i++)
        if (vmh_rootless_socket_present(uid, i)) {
            found = (int)i;
            count++;
        }
    return count == 1 ? found : -1;
}

/* Where a rootless container's own address is, by engine: rootless Docker
 * runs its containers, --network host ones too, in the namespace of its
 * daemon (RootlessKit's); rootless Podman has no daemon, makes one for each
 * container, and gives a --network host one the user's own, the machine's,
 * where it listens on this machine's addresses but publishes nothing. */
static const char *const rootless_where[] = {
    [VMH_ROOTLESS_PODMAN] =
        "          its own address is in a network namespace Podman made for it,\n"
        "          which this machine cannot reach; only its published ports are\n"
        "          reached.  With --network host it is in yours instead, this\n"
        "          machine's: it listens on this machine's own addresses, but\n"
        "          publishes no port for its name to answer\n"
        "  do:     publish a port: podman run -p 8080:80 ... (the name then answers\n"
        "          127.0.0.1), or -p 127.0.0.5:8080:80 for an address of its own;\n"
        "          with --network host, connect to localhost\n",
    [VMH_ROOTLESS_DOCKER] =
        "          its own address is inside your rootless Docker's network\n"
        "          namespace (RootlessKit's), as is a --network host container's,\n"
        "          which this machine cannot reach; only its published ports are\n"
        "          reached\n"
        "  do:     publish a port: docker run -p 8080:80 ... (the name then answers\n"
        "          127.0.0.1), or -p 127.0.0.5:8080:80 for an address of its own\n",
};

/* A rootless engine's container is reached only on its published ports. */
static void explain_publishes_nothing(FILE *out, const struct vmh_cli_view *view,
                                      const struct vmh_cache *cache, uint32_t index)
{
    int engine = rootless_engine(geteuid(), view->config->source[VMH_BACKEND_DOCKER]);
    fputs("  why:    ", out);
    describe_record(out, cache, index);
    fprintf(out, " runs in your rootless %s and publishes no port;\n",
            engine == VMH_ROOTLESS_PODMAN   ? "Podman"
            : engine == VMH_ROOTLESS_DOCKER ? "Docker"
                                            : "engine");
    if (engine >= 0) {
        fputs(rootless_where[engine], out);
        return;
    }
    fputs("          its own address is in a network namespace this machine cannot\n"
          "          reach (rootless Docker's own, or one rootless Podman made for\n"
          "          it, or a VM's: Docker Desktop, colima); only its published ports\n"
          "          are reached.  A rootless Podman container of --network host\n"
          "          listens on this machine's own addresses instead, but publishes\n"
          "          no port for its name to answer\n"
          "  do:     publish a port: -p 8080:80 (the name then answers 127.0.0.1),\n"
          "          or -p 127.0.0.5:8080:80 for an address of its own\n",
          out);
}

static void explain_no_address(FILE *out, const struct vmh_cli_view *view,
                               const struct vmh_cache *cache, uint32_t index)
{
    const struct vmh_cache_record *record = &cache->records[index];
    if (record->flags & VMH_RECORD_ROOTLESS) {
        explain_publishes_nothing(out, view, cache, index);
        return;
    }
    fputs("  why:    ", out);
    describe_record(out, cache, index);
    fputs(" is running but has no IP address\n", out);
    const struct vmh_backend_ops *ops = vmh_backend_of(vmh_record_backend(cache, record));
    if (ops)
        fprintf(out, "  do:     %s\n", ops->no_address_advice);
}

static void explain_ambiguous(FILE *out, const struct vmh_cache *cache, const char *prefix)
{
    uint32_t first = 0, shown = 0;
    uint32_t count = vmh_cache_find_prefix(cache, VMH_KEY_DOCKER_ID, prefix, &first);
    fprintf(out, "  why:    the ID prefix %s is shared by more than one container; like\n"
                 "          Docker, the module then answers none of them:\n", prefix);
    for (uint32_t i = first; i < first + count && shown < 5; i++, shown++) {
        fputs("            ", out);
        describe_record(out, cache, cache->keys[i].record);
        fputc('\n', out);
    }
    fputs("  do:     use more characters of the ID, or the container's name\n", out);
}

/* Every running container whose label chose the name, five at most:
 * those that may answer it (`allowed`), or those of another LXD project
 * that may not (vmh_label_may_claim); counted only when `out` is NULL. */
static unsigned list_claimants(FILE *out, const struct vmh_cache *cache,
                               const struct vmh_name *name, uint32_t except, bool allowed)
{
    uint32_t first = 0, shown = 0;
    uint32_t count = vmh_cache_find(cache, VMH_KEY_LABEL, name->normalized, &first);
    for (uint32_t i = first; i < first + count && shown < 5; i++) {
        const struct vmh_cache_record *record = &cache->records[cache->keys[i].record];
        if (record->state != VMH_STATE_RUNNING || cache->keys[i].record == except ||
            vmh_label_may_claim(cache, record, name) != allowed)
            continue;
        shown++;
        if (!out)
            continue;
        fputs("            ", out);
        describe_record(out, cache, cache->keys[i].record);
        fputc('\n', out);
    }
    return shown;
}

/* A name only instances of other LXD projects chose: said, with why. */
static void explain_other_projects(FILE *out, const struct vmh_cache *cache,
                                   const struct vmh_name *name)
{
    if (!cache || !cache->header || !list_claimants(NULL, cache, name, UINT32_MAX, false))
        return;
    fputs("  note:   an instance of another project chose it (user.vmhosts.names), but\n"
          "          one answers only names of its own project (<x>.<project>.<domain>):\n",
          out);
    list_claimants(out, cache, name, UINT32_MAX, false);
}

static void explain_label_conflict(FILE *out, const struct vmh_cache *cache,
                                   const struct vmh_name *name)
{
    fprintf(out, "  why:    %s is chosen (label vmhosts.names; LXD: user.vmhosts.names)\n"
                 "          by more than one running container or instance, and a chosen\n"
                 "          name answers only for one (or one Compose service's replicas);\n"
                 "          it is claimed by:\n",
            name->normalized);
    list_claimants(out, cache, name, UINT32_MAX, true);
    fputs("  do:     take it out of the vmhosts.names of all but one of them\n", out);
}

void vmh_explain_label_claims(FILE *out, const struct vmh_cache *cache, const struct vmh_name *name,
                              const struct vmh_answer *answer)
{
    uint32_t first = 0;
    if (!cache || !cache->header || answer->rule == VMH_RULE_LABEL ||
        vmh_cache_find(cache, VMH_KEY_LABEL, name->normalized, &first) == 0)
        return;
    fputs("  note:   a label (vmhosts.names) also chooses this name, but a label never\n"
          "          takes a name a container has of its own; chosen by:\n",
          out);
    list_claimants(out, cache, name, answer->record, true);
}

static void explain_no_match(FILE *out, const struct vmh_name *name)
{
    if (name->kind == VMH_NAME_LABEL) {
        fprintf(out, "  why:    no running container chose %s (label vmhosts.names); a\n"
                     "          name under label_domains (%s) is DNS's unless one did, so the\n"
                     "          module answers UNAVAIL and the next source answers\n",
                name->normalized, name->domain);
        return;
    }
    const struct vmh_backend_ops *ops = vmh_backend_of(name->backend);
    if (name->kind == VMH_NAME_UNDER && ops &&
        vmh_backend_names(name->backend) != VMH_NAMES_CONTAINER) {
        fprintf(out, "  why:    no %s %s is called %s\n"
                     "  do:     `%s` shows the %s\n",
                ops->name, ops->noun, name->key, ops->list_command, ops->nouns);
    } else if (name->kind == VMH_NAME_BARE) {
        fprintf(out, "  why:    no running container has the hostname %s; a bare name is\n"
                     "          DNS's unless a container was started with --hostname %s, so\n"
                     "          the module answers UNAVAIL and the next source answers\n",
                name->key, name->key);
    } else {
        fprintf(out, "  why:    no container is called %s or has an ID starting with it, and\n"
                     "          no Compose service is called so (<service>.<project>.%s)\n"
                     "  do:     `%s` shows the %s\n",
                name->key, name->domain, ops ? ops->list_command : "docker ps -a",
                ops ? ops->nouns : "containers");
    }
}

void vmh_miss_explain(FILE *out, const struct vmh_cli_view *view, const struct vmh_cli_cache *slot,
                      const struct vmh_name *name, const struct vmh_answer *answer)
{
    const struct vmh_cache *cache = slot ? &slot->cache : NULL;
    uint32_t record = 0;
    bool have_record = vmh_miss_find_record(cache, name, &record);

    if (answer->result == VMH_NO_DATA) {
        fputs("  why:    it has addresses, but none of the family asked\n", out);
        return;
    }
    switch (answer->rule) {
    case VMH_RULE_BACKEND_DOWN:
        explain_backend_down(out, view, slot, name);
        return;
    case VMH_RULE_NOT_RUNNING:
        if (have_record)
            explain_not_running(out, cache, record);
        return;
    case VMH_RULE_NO_ADDRESS:
        if (have_record)
            explain_no_address(out, view, cache, record);
        return;
    case VMH_RULE_AMBIGUOUS_PREFIX:
        if (cache)
            explain_ambiguous(out, cache, name->key);
        return;
    case VMH_RULE_NO_MATCH:
        explain_no_match(out, name);
        explain_other_projects(out, cache, name);
        return;
    case VMH_RULE_LABEL_CONFLICT:
        if (cache)
            explain_label_conflict(out, cache, name);
        return;
    case VMH_RULE_NOT_OURS:
    default:
        explain_not_ours(out, view, name);
        return;
    }
}
