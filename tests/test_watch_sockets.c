/* inotify on the rootless sockets' folders (tools/refresh/watch_sockets.c):
 * a socket bound or removed in its folder is collected as a change, so is
 * the folder of one (podman/) made later, or removed and made again, and
 * then the socket made in it;
 * a folder that appears where no watch sees it is watched at the next
 * call; two sockets sharing a folder both stay watched; nothing is collected
 * when nothing happened, and no path means nothing to watch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "watch_sockets.h"

static char root[] = "/tmp/test_watch_sockets.XXXXXX";
static char docker_sock[128], podman_dir[128], podman_sock[160];

/* A listening Unix socket at `path`, as an engine makes it; its fd. */
static int bind_socket(const char *path)
{
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&address, sizeof address) != 0)
        printf("# cannot bind %s\n", path);
    return fd;
}

static void test_sockets(void)
{
    const char *paths[] = {podman_sock, docker_sock};
    struct vmh_watch_sockets *sockets = vmh_watch_sockets_open(paths, 2);
    CHECK(sockets && vmh_watch_sockets_fd(sockets) >= 0, "the sockets' folders are watched");
    CHECK(!vmh_watch_sockets_changed(sockets), "nothing happened: nothing collected");

    int docker = bind_socket(docker_sock);
    CHECK(vmh_watch_sockets_changed(sockets), "docker.sock bound in its folder: collected");
    CHECK(!vmh_watch_sockets_changed(sockets), "collected once");

    if (mkdir(podman_dir, 0700) != 0)
        printf("# cannot make %s\n", podman_dir);
    CHECK(vmh_watch_sockets_changed(sockets),
          "podman/ made in the folder it was waited for in: collected");
    int podman = bind_socket(podman_sock);
    CHECK(vmh_watch_sockets_changed(sockets),
          "podman.sock bound in the podman/ made since: collected (its folder is watched now)");

    close(docker);
    unlink(docker_sock);
    CHECK(vmh_watch_sockets_changed(sockets),
          "docker.sock removed: collected (watching podman/ did not narrow its folder's watch)");
    close(podman);
    unlink(podman_sock);
    CHECK(vmh_watch_sockets_changed(sockets), "podman.sock removed: collected");
    rmdir(podman_dir);
    CHECK(vmh_watch_sockets_changed(sockets), "podman/ removed: collected");
    if (mkdir(podman_dir, 0700) != 0)
        printf("# cannot make %s\n", podman_dir);
    vmh_watch_sockets_changed(sockets);
    podman = bind_socket(podman_sock);
    CHECK(vmh_watch_sockets_changed(sockets),
          "podman/ made again, then podman.sock in it: collected (watched again)");
    close(podman);
    vmh_watch_sockets_close(sockets);
}

/* A runtime folder that appears where no watch sees it (its parent
 * missing too when the watch began; a tmpfs mounted over it, as logind
 * makes it): watched, and collected, at the next call. */
static void test_folder_appears_unseen(void)
{
    char top[160], folder[192], sock[224];
    snprintf(top, sizeof top, "%s/user", root);
    snprintf(folder, sizeof folder, "%s/1000", top);
    snprintf(sock, sizeof sock, "%s/docker.sock", folder);
    const char *paths[] = {sock};
    struct vmh_watch_sockets *sockets = vmh_watch_sockets_open(paths, 1);
    CHECK(sockets && !vmh_watch_sockets_changed(sockets),
          "neither the folder nor its parent exists: nothing collected");
    if (mkdir(top, 0755) != 0 || mkdir(folder, 0700) != 0)
        printf("# cannot make %s\n", folder);
    CHECK(vmh_watch_sockets_changed(sockets),
          "the folder made where no watch saw it: collected once it can be watched");
    int docker = bind_socket(sock);
    CHECK(vmh_watch_sockets_changed(sockets), "... and the socket bound in it then: collected");
    close(docker);
    vmh_watch_sockets_close(sockets);
}

static void test_nothing_to_watch(void)
{
    CHECK(vmh_watch_sockets_open(NULL, 0) == NULL, "no socket path: nothing watched");
    const char *bare[] = {"docker.sock"};
    CHECK(vmh_watch_sockets_open(bare, 1) == NULL, "a path without a folder: nothing watched");
    CHECK_INT(vmh_watch_sockets_fd(NULL), -1, "nothing watched: no descriptor");
    CHECK(!vmh_watch_sockets_changed(NULL), "nothing watched: nothing collected");
    vmh_watch_sockets_close(NULL);
}

int main(void)
{
    if (!mkdtemp(root)) {
        CHECK(false, "a scratch folder");
        return check_done();
    }
    snprintf(docker_sock, sizeof docker_sock, "%s/docker.sock", root);
    snprintf(podman_dir, sizeof podman_dir, "%s/podman", root);
    snprintf(podman_sock, sizeof podman_sock, "%s/podman.sock", podman_dir);
    test_sockets();
    test_folder_appears_unseen();
    test_nothing_to_watch();
    check_remove_tree(root);
    return check_done();
}
