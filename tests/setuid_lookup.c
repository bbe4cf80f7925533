/* A stand-in for a setuid-root program (sudo, ping, su): resolves NAME with
 * getaddrinfo(AF_INET) and prints its real and effective user, then the
 * addresses found.  Exits 2 when nothing is found.  tests/e2e-setuid.sh
 * builds it with an absolute DT_RPATH to a copy of the module (a setuid
 * program ignores LD_LIBRARY_PATH) and makes it setuid root.
 * Usage: setuid_lookup NAME */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 64;
    printf("uid=%u euid=%u\n", (unsigned)getuid(), (unsigned)geteuid());
    struct addrinfo hints, *found = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(argv[1], NULL, &hints, &found) != 0)
        return 2;
    for (struct addrinfo *a = found; a; a = a->ai_next) {
        char text[INET_ADDRSTRLEN];
        const struct sockaddr_in *in = (const struct sockaddr_in *)a->ai_addr;
        printf("%s\n", inet_ntop(AF_INET, &in->sin_addr, text, sizeof text));
    }
    freeaddrinfo(found);
    return 0;
}
