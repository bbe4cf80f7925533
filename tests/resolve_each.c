/* Resolves each argument as a program would and prints one line for it,
 * so that builds of the same lookups for other machines (32-bit, big-endian) can be
 * compared line by line by tests/e2e-foreign-arch.sh:
 *
 *     NAME    -> "NAME: canonical-name addresses..." (getaddrinfo, AF_UNSPEC,
 *                AI_CANONNAME; addresses in the order given) or "NAME: not found"
 *     ADDRESS -> "ADDRESS: name aliases..." (gethostbyaddr_r) or "... not found"
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void forward(const char *name)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_CANONNAME},
                    *found = NULL;
    if (getaddrinfo(name, NULL, &hints, &found) != 0) {
        printf("%s: not found\n", name);
        return;
    }
    printf("%s: %s", name, found->ai_canonname ? found->ai_canonname : "-");
    for (struct addrinfo *a = found; a; a = a->ai_next) {
        char text[INET6_ADDRSTRLEN];
        const void *bytes = a->ai_family == AF_INET
                                ? (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr
                                : (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr;
        printf(" %s", inet_ntop(a->ai_family, bytes, text, sizeof text));
    }
    putchar('\n');
    freeaddrinfo(found);
}

static void reverse(const char *text, int family, const void *bytes, socklen_t length)
{
    struct hostent host, *found = NULL;
    char buffer[4096];
    int error = 0;
    if (gethostbyaddr_r(bytes, length, family, &host, buffer, sizeof buffer, &found, &error) != 0 ||
        !found) {
        printf("%s: not found\n", text);
        return;
    }
    printf("%s: %s", text, found->h_name);
    for (char **alias = found->h_aliases; *alias; alias++)
        printf(" %s", *alias);
    putchar('\n');
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        unsigned char bytes[16];
        if (inet_pton(AF_INET, argv[i], bytes) == 1)
            reverse(argv[i], AF_INET, bytes, 4);
        else if (inet_pton(AF_INET6, argv[i], bytes) == 1)
            reverse(argv[i], AF_INET6, bytes, 16);
        else
            forward(argv[i]);
    }
    printf("pointer size %zu, %s\n", sizeof(void *),
           __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__ ? "big-endian" : "little-endian");
    return 0;
}
