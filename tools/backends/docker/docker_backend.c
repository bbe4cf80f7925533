/* Docker's entry in the backend table (backend.h): the Engine API over
 * every socket in docker_socket, Podman's included. */
#include "backend.h"
#include "docker.h"

static int refresh(const struct vmh_config *config, long timeout_ms,
                   const struct vmh_snapshot *known, struct vmh_snapshot *fresh)
{
    return vmh_docker_refresh(config->docker_socket, timeout_ms, known, fresh);
}

static long ttl_s(const struct vmh_config *config)
{
    return config->ttl_s;
}

/* Its event stream tells the watcher of every change. */
static long poll_interval_ms(const struct vmh_config *config)
{
    (void)config;
    return 0;
}

const struct vmh_backend_ops vmh_backend_docker = {
    .name = "docker",
    .section = VMH_BACKEND_DOCKER,
    .noun = "container",
    .nouns = "containers",
    .name_kinds = 1u << VMH_NAME_DOCKER | 1u << VMH_NAME_BARE,
    .refresh = refresh,
    .ttl_s = ttl_s,
    .poll_interval_ms = poll_interval_ms,
};
