/* What every libcurl handle that talks to a Docker Engine API socket
 * needs, for the refresher's requests and the watcher's event stream. */
#ifndef VMHOSTS_DOCKER_CURL_H
#define VMHOSTS_DOCKER_CURL_H

#include <curl/curl.h>

/* The socket, no signals (the deadline is ours, not SIGALRM's), no proxy
 * from the environment, HTTP only. */
void vmh_docker_curl_setup(CURL *curl, const char *socket_path);

#endif
