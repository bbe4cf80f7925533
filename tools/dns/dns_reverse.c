/* Reverse names to addresses, strictly: exactly four decimal octets or
 * exactly 32 hex nibbles, so that no partial name ever reaches a lookup. */
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "dns_reverse.h"

static size_t text_length(const char *text)
{
    size_t length = strlen(text);
    return length > 0 && text[length - 1] == '.' ? length - 1 : length;
}

static bool ends_with(const char *text, size_t length, const char *suffix)
{
    size_t n = strlen(suffix);
    return length >= n && strncasecmp(text + length - n, suffix, n) == 0;
}

bool vmh_dns_is_reverse(const char *text)
{
    size_t length = text_length(text);
    return ends_with(text, length, "in-addr.arpa") || ends_with(text, length, "ip6.arpa");
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "4.3.2.1." before in-addr.arpa: the octets in reverse. */
static int parse_v4(const char *text, size_t length, unsigned char *address)
{
    int octet = 3;
    size_t i = 0;
    while (octet >= 0) {
        unsigned value = 0, digits = 0;
        while (i < length && text[i] >= '0' && text[i] <= '9' && digits < 3)
            value = value * 10 + (unsigned)(text[i++] - '0'), digits++;
        if (digits == 0 || value > 255 || i >= length || text[i] != '.')
            return 0;
        if (digits > 1 && text[i - digits] == '0') /* "01" is no octet's name */
            return 0;
        address[octet--] = (unsigned char)value;
        i++;
    }
    return i == length ? AF_INET : 0;
}

/* 32 "n." pairs before ip6.arpa, the low nibble first. */
static int parse_v6(const char *text, size_t length, unsigned char *address)
{
    if (length != 64)
        return 0;
    memset(address, 0, 16);
    for (int nibble = 0; nibble < 32; nibble++) {
        int value = hex_value(text[2 * nibble]);
        if (value < 0 || text[2 * nibble + 1] != '.')
            return 0;
        int index = 31 - nibble;
        address[index / 2] |= (unsigned char)(index % 2 ? value : value << 4);
    }
    return AF_INET6;
}

int vmh_dns_reverse_address(const char *text, unsigned char *address)
{
    size_t length = text_length(text);
    if (ends_with(text, length, ".in-addr.arpa"))
        return parse_v4(text, length - strlen("in-addr.arpa"), address);
    if (ends_with(text, length, ".ip6.arpa"))
        return parse_v6(text, length - strlen("ip6.arpa"), address);
    return 0;
}
