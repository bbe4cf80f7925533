/* `vmhosts dns`: the DNS face in the foreground.  Each query is answered
 * by the module's own lookup (vmh_state_lookup), in this process: the same
 * settings, the same two trusted caches re-checked with one lstat each per
 * query, the same decision (vmh_decide) and the same on-demand refresh
 * through the same trigger, lock and rate limits; so `dig` and `getent`
 * agree by construction.  A query whose answer waits for that refresh is
 * answered from a child process (struct face).  With `vmhosts watch`
 * running nothing is ever started from here. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "dns_answer.h"
#include "dns_listen.h"
#include "dns_parents.h"
#include "dns_server.h"
#include "dns_sockets.h"
#include "parse_options.h"
#include "state.h"

static const char usage_text[] =
    "Usage: vmhosts dns [--listen ADDRESS[:PORT]]... [--max-connections N]\n"
    "                   [--idle-timeout-ms N]\n"
    "\n"
    "Answers DNS queries for the names vmhosts owns (A, AAAA, and PTR for their\n"
    "addresses) from the same cache and by the same rules as the NSS module, for\n"
    "programs that never ask NSS: static Go binaries, Node's dns.resolve, dig,\n"
    "containers.  Every other name is REFUSED: it is never a recursive resolver.\n"
    "Runs in the foreground until SIGTERM or SIGINT; under systemd it takes the\n"
    "sockets of vmhosts-dns.socket instead of binding its own.\n"
    "\n"
    "  -l, --listen ADDR       listen on ADDR (ADDRESS, ADDRESS:PORT, [ADDRESS6]:PORT;\n"
    "                          port 53 when omitted), UDP and TCP; repeatable; instead\n"
    "                          of the setting dns_listen (default 127.0.0.153)\n"
    "  --max-connections N     TCP connections at once (default 64, at most 256); a\n"
    "                          new one closes the least recently active\n"
    "  --idle-timeout-ms N     close a TCP connection idle this long (default 10000)\n"
    "  -h, --help              show this help\n";

struct dns_options {
    char listen[VMH_LIST_MAX];
    long max_connections, idle_timeout_ms;
};

static volatile sig_atomic_t stopping;

static void on_stop(int signo)
{
    (void)signo;
    stopping = 1;
}

/* No SA_RESTART: the signal must interrupt poll. */
static void catch_stop_signals(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
}

static bool add_listen(const struct vmh_option *option, const char *arg)
{
    char *list = option->value;
    struct vmh_dns_endpoint endpoint;
    size_t used = strlen(list);
    /* The parser says what was wrong with it. */
    if (vmh_dns_parse_endpoint(arg, &endpoint) != 0 || used + strlen(arg) + 2 > VMH_LIST_MAX)
        return false;
    snprintf(list + used, VMH_LIST_MAX - used, "%s%s", used ? " " : "", arg);
    return true;
}

/* What the server's callbacks share.  In the server's own process a
 * lookup never waits for a refresh: it says the query is deferred, and a
 * child answers it after the refresh (dns_server.c), so that a hung
 * backend holds up one client, not all of them. */
struct face {
    struct vmh_dns_parents *parents;
    bool waits;    /* a child's: the lookup runs the refresh and waits */
    bool deferred; /* the last lookup wanted a refresh, described here: */
    struct vmh_trigger trigger;
};

static void forward(void *context, const char *name, int family, struct vmh_answer *answer,
                    int32_t *ttl)
{
    struct face *face = context;
    if (face->waits)
        vmh_state_lookup(name, family, answer, ttl);
    else if (vmh_state_lookup_nowait(name, family, answer, ttl, &face->trigger))
        face->deferred = true;
}

static void reverse(void *context, int family, const void *address, struct vmh_answer *answer,
                    int32_t *ttl)
{
    (void)context;
    vmh_state_lookup_address(family, address, answer, ttl);
}

static bool below(void *context, const char *name)
{
    return vmh_dns_parents_has(((struct face *)context)->parents, name);
}

static bool deferred(void *context)
{
    struct face *face = context;
    bool was = face->deferred;
    face->deferred = false;
    return was;
}

/* In the child: the refresh the lookup wanted, then lookups that wait. */
static void wait_refresh(void *context)
{
    struct face *face = context;
    face->waits = true;
    vmh_state_refresh(&face->trigger);
}

static int open_sockets(const char *list, struct vmh_dns_sockets *sockets)
{
    struct vmh_dns_endpoint endpoints[VMH_DNS_MAX_ENDPOINTS];
    const struct vmh_dns_endpoint *failed = NULL;
    char bad[128];
    if (vmh_dns_sockets_inherit(sockets) > 0)
        return 0;
    int count = vmh_dns_parse_listen(list, endpoints, VMH_DNS_MAX_ENDPOINTS, bad, sizeof bad);
    if (count < 0) {
        fprintf(stderr, "vmhosts dns: dns_listen: \"%s\" is not ADDRESS, ADDRESS:PORT or "
                        "[ADDRESS6]:PORT (at most %d of them)\n", bad, VMH_DNS_MAX_ENDPOINTS);
        return -1;
    }
    if (vmh_dns_sockets_bind(sockets, endpoints, (size_t)count, &failed) != 0) {
        fprintf(stderr, "vmhosts dns: cannot listen on %s: %m\n", failed->text);
        return -1;
    }
    for (int i = 0; i < count; i++)
        fprintf(stderr, "vmhosts dns: listening on %s (UDP and TCP)\n", endpoints[i].text);
    return 0;
}

int vmh_cmd_dns(int argc, char **argv)
{
    struct dns_options options = {.max_connections = 64, .idle_timeout_ms = 10000};
    const struct vmh_option table[] = {
        OPT_CALLBACK('l', "listen", options.listen, "ADDRESS, ADDRESS:PORT or [ADDRESS6]:PORT",
                     add_listen),
        OPT_LONG(0, "max-connections", &options.max_connections, "a number", 1,
                 VMH_DNS_MAX_CONNECTIONS),
        OPT_LONG(0, "idle-timeout-ms", &options.idle_timeout_ms, "a number of milliseconds", 1,
                 3600L * 1000),
        OPT_END()};
    const struct vmh_command_syntax syntax = {.name = "dns", .options = table,
                                              .usage = usage_text};
    int status = vmh_parse_options(&syntax, argc, argv, NULL);
    if (status != VMH_OPTIONS_GO_ON)
        return status;
    const struct vmh_config *config = vmh_cli_config();
    struct vmh_dns_sockets sockets;
    if (open_sockets(options.listen[0] ? options.listen : config->dns_listen, &sockets) != 0)
        return VMH_EXIT_FAILURE;
    /* Without memory for it, every miss is NXDOMAIN, as before it existed. */
    struct face face = {.parents = vmh_dns_parents_new(config)};
    struct vmh_dns_source source = {.forward = forward, .reverse = reverse, .config = config,
                                    .context = &face, .below = below, .deferred = deferred,
                                    .wait_refresh = wait_refresh};
    struct vmh_dns_limits limits = {.max_connections = options.max_connections,
                                    .idle_timeout_ms = options.idle_timeout_ms};
    catch_stop_signals();
    status = vmh_dns_serve(sockets.udp, sockets.udp_count, sockets.tcp, sockets.tcp_count, &source,
                           &limits, &stopping);
    if (status != 0)
        fprintf(stderr, "vmhosts dns: %m\n");
    vmh_dns_sockets_close(&sockets);
    vmh_dns_parents_free(face.parents);
    return status == 0 ? VMH_EXIT_OK : VMH_EXIT_FAILURE;
}
