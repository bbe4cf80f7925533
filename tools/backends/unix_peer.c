/* See unix_peer.h. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trust.h"
#include "unix_peer.h"

uid_t vmh_unix_peer(int fd)
{
    struct ucred credentials;
    socklen_t length = sizeof credentials;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0 ||
        length != sizeof credentials)
        return (uid_t)-1;
    return vmh_uid_ambiguous(credentials.uid) ? (uid_t)-1 : credentials.uid;
}

bool vmh_unix_peer_may_answer(uid_t peer, uid_t refresher)
{
    return peer == 0 || peer == refresher;
}

bool vmh_unix_peer_refused_text(const char *path, uid_t peer, char *text, size_t size)
{
    if (peer == (uid_t)-1 || vmh_unix_peer_may_answer(peer, geteuid()))
        return false;
    snprintf(text, size,
             "%s accepts connections, but runs as user %u, neither root nor you: "
             "a refresh takes none of its answers", path, (unsigned)peer);
    return true;
}

#define UNKNOWN_WORDS "the kernel does not say who runs "
#define FOREIGN_WORDS ", neither root nor you: only that user's own refresh asks it"

void vmh_unix_peer_refusal(const char *daemon, const char *path, uid_t peer, char *text,
                           size_t size)
{
    if (peer == (uid_t)-1)
        snprintf(text, size, UNKNOWN_WORDS "%s on %.*s: its answer is not taken", daemon,
                 VMH_SOCKET_PATH_SHOWN, path);
    else
        snprintf(text, size, "%s on %.*s runs as user %u" FOREIGN_WORDS, daemon,
                 VMH_SOCKET_PATH_SHOWN, path, (unsigned)peer);
}

bool vmh_unix_peer_refusal_said(const char *message)
{
    return strstr(message, UNKNOWN_WORDS) != NULL ||
           strstr(message, FOREIGN_WORDS) != NULL;
}
