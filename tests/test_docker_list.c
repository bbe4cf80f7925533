/* Docker's container list read as a stream (docker_list.c): what a tree
 * parse (jansson, before) did implicitly and the stream must do the same
 * on purpose: a repeated key's last value wins, every field of the wrong
 * type is as good as missing, the nesting depth is capped, bad JSON is
 * refused whole however it is cut.  The list's ordinary semantics are in
 * test_docker_json.c. */
#include <stdint.h>

#include "check.h"
#include "check_hosts.h"
#include "docker.h"

#define LIST_152 "docker/docker-containers-json-list-api1.52-reconstructed.json"
#define ENTRY(id, name, rest) "{\"Id\":\"" id "\",\"Names\":[\"/" name "\"],\"State\":\"running\"" rest "}"
#define NETS(json) ",\"NetworkSettings\":{\"Networks\":" json "}"
/* The depth jansson refused past, which the stream keeps. */
#define DEPTH_MAX 2048

static int parse_as(const char *text, size_t length, bool rootless, struct vmh_snapshot *out,
                    char *err, size_t err_size)
{
    vmh_snapshot_init(out);
    return vmh_docker_parse_engine_list(text, length, NULL, rootless, out, err, err_size);
}

/* Parses text that must parse; the caller frees the snapshot. */
static struct vmh_snapshot parse_ok(const char *text, bool rootless, const char *what)
{
    struct vmh_snapshot out;
    char err[512] = "";
    int result = parse_as(text, strlen(text), rootless, &out, err, sizeof err);
    if (result != 0)
        printf("# %s\n", err);
    CHECK_INT(result, 0, what);
    return out;
}

/* Text that must be refused with `expected` in the message, adding nothing. */
static void check_refused(const char *text, size_t length, const char *expected, const char *what)
{
    struct vmh_snapshot out;
    char err[512] = "";
    int result = parse_as(text, length, false, &out, err, sizeof err);
    if (result == 0 || !strstr(err, expected))
        printf("# %s: got %d, \"%s\"\n", what, result, err);
    CHECK(result == -1 && strstr(err, expected) && out.count == 0, what);
    vmh_snapshot_free(&out);
}

static const struct vmh_host *host_named(const struct vmh_snapshot *out, const char *name)
{
    for (size_t i = 0; i < out->count; i++)
        if (out->hosts[i].name && strcmp(out->hosts[i].name, name) == 0)
            return &out->hosts[i];
    return NULL;
}

static const char *aliases_of(const struct vmh_host *host, const char *network)
{
    static char text[1024];
    int number = host ? vmh_host_network_named(host, network) : 0;
    text[0] = '\0';
    for (size_t i = 0; number > 0 && i < host->networks[number - 1].alias_count; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s", i ? " " : "",
                 host->networks[number - 1].aliases[i]);
    return number > 0 ? text : "(not on it)";
}

/* --- a repeated key: its last value wins, as jansson's object kept it --- */

static void test_repeated_entry_keys(void)
{
    struct vmh_snapshot out = parse_ok(
        "[{\"Id\":\"aa01\",\"Id\":\"bb02\",\"Names\":[\"/first\"],\"Names\":[\"/second\"],"
        "\"State\":\"running\",\"State\":\"exited\"},"
        "{\"Id\":\"cc03\",\"Id\":7,\"Names\":[\"/dropped\"]},"
        "{\"Id\":\"dd04\",\"Names\":[\"/labels\"],"
        "\"Labels\":{\"com.docker.compose.project\":\"p1\",\"com.docker.compose.service\":\"s\"},"
        "\"Labels\":{\"com.docker.compose.project\":\"a\",\"com.docker.compose.project\":\"p2\"}},"
        "{\"Id\":\"ee05\",\"Names\":[\"/mode\"],\"HostConfig\":{\"NetworkMode\":\"host\"},"
        "\"HostConfig\":{\"x\":1}" NETS("{\"a\":{\"IPAddress\":\"10.0.0.1\"}}") "}]",
        false, "repeated: parses");
    CHECK_INT(out.count, 3, "repeated: an Id repeated as a number is no Id");
    const struct vmh_host *second = host_named(&out, "second");
    CHECK_STR(second ? second->id : NULL, "bb02", "repeated: the last Id");
    CHECK(second && second->state == VMH_STATE_STOPPED, "repeated: the last State");
    const struct vmh_host *labels = host_named(&out, "labels");
    CHECK_STR(labels ? labels->project : NULL, "p2", "repeated: the last label value");
    CHECK(labels && labels->service == NULL, "repeated: Labels again replace them all");
    CHECK_STR(check_addresses_of(&out, "mode"), "10.0.0.1", "repeated: the last HostConfig");
    vmh_snapshot_free(&out);
}

static void test_repeated_network_keys(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "nets", ",\"NetworkSettings\":{\"Networks\":{\"x\":{\"IPAddress\":"
                  "\"10.9.9.9\"}}}" NETS("{\"a\":{\"IPAddress\":\"10.0.0.1\",\"Aliases\":[\"old\"]},"
                  "\"b\":{\"IPAddress\":\"10.0.0.2\",\"IPAddress\":\"10.0.0.4\","
                  "\"Aliases\":[\"b1\"],\"Aliases\":[\"b2\"],\"DNSNames\":[\"b3\"]},"
                  "\"a\":{\"IPAddress\":\"10.0.0.3\",\"Aliases\":[\"new\"]}}"))
        "," ENTRY("aa02", "gone", NETS("{\"a\":{\"IPAddress\":\"10.0.1.1\"}}")
                  ",\"NetworkSettings\":7") "]",
        false, "repeated networks: parses");
    const struct vmh_host *nets = host_named(&out, "nets");
    CHECK_STR(check_addresses_of(&out, "nets"), "10.0.0.3 10.0.0.4",
              "repeated networks: last Networks, last network, last address");
    CHECK_INT(nets ? nets->network_count : 0, 2, "repeated networks: a name once");
    CHECK_STR(aliases_of(nets, "a"), "new", "repeated networks: the last network's aliases");
    CHECK_STR(aliases_of(nets, "b"), "b2 b3", "repeated networks: the last Aliases");
    CHECK_STR(check_addresses_of(&out, "gone"), "",
              "repeated networks: NetworkSettings again, of the wrong type: no address");
    vmh_snapshot_free(&out);
}

static void test_repeated_port_keys(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "ports", ",\"Ports\":[{\"PublicPort\":80,\"IP\":\"127.0.0.7\"}],"
                  "\"Ports\":[{\"PublicPort\":80,\"IP\":\"127.0.0.8\",\"IP\":\"127.0.0.9\"},"
                  "{\"PublicPort\":81,\"PublicPort\":0,\"IP\":\"127.0.0.10\"}]") "]",
        true, "repeated ports: parses");
    CHECK_STR(check_addresses_of(&out, "ports"), "127.0.0.9",
              "repeated ports: the last Ports, IP and PublicPort");
    vmh_snapshot_free(&out);
}

/* --- every field of the wrong type ------------------------------------ */

static void test_wrong_type_each_field(void)
{
    struct vmh_snapshot out = parse_ok(
        "[{\"Id\":{\"x\":\"aa\"}},{\"Id\":[\"aa\"]},{\"Id\":null},{\"Id\":true},"
        "{\"Id\":\"aa01\",\"Names\":{\"0\":\"/n\"}},{\"Id\":\"aa02\",\"Names\":\"/n\"},"
        "{\"Id\":\"aa03\",\"Names\":[[\"/n\"]]},{\"Id\":\"aa04\",\"Names\":[null,\"/n\"]},"
        "{\"Id\":\"aa05\",\"Names\":[\"/st\"],\"State\":[\"running\"],\"Status\":7},"
        "{\"Id\":\"aa06\",\"Names\":[\"/lab\"],\"Labels\":[\"x\"],\"State\":{\"running\":1}},"
        "{\"Id\":\"aa07\",\"Names\":[\"/lv\"],\"Labels\":{\"com.docker.compose.project\":{},"
        "\"com.docker.compose.service\":[\"s\"],\"vmhosts.names\":5,\"vmhosts.wildcard\":true}},"
        "{\"Id\":\"aa08\",\"Names\":[\"/hc\"],\"HostConfig\":[\"host\"]"
        NETS("{\"a\":{\"IPAddress\":\"10.0.0.8\"}}") "},"
        "{\"Id\":\"aa09\",\"Names\":[\"/nm\"],\"HostConfig\":{\"NetworkMode\":[\"host\"]}"
        NETS("{\"a\":{\"IPAddress\":\"10.0.0.9\"}}") "},"
        "{\"Id\":\"aa0a\",\"Names\":[\"/ns\"],\"NetworkSettings\":[{\"Networks\":{}}]},"
        "{\"Id\":\"aa0b\",\"Names\":[\"/nw\"]" NETS("[{\"a\":{\"IPAddress\":\"10.0.0.11\"}}]") "},"
        "{\"Id\":\"aa0c\",\"Names\":[\"/ip\"]" NETS("{\"a\":7,\"b\":{\"IPAddress\":[\"10.0.0.12\"],"
        "\"GlobalIPv6Address\":{\"x\":\"fd00::1\"},\"Aliases\":\"al\",\"DNSNames\":{\"x\":\"d\"}},"
        "\"c\":{\"Aliases\":[7,\"c1\",null,[\"c2\"],{\"c3\":1}]}}") "}]",
        false, "wrong types: parses");
    CHECK_INT(out.count, 12, "wrong types: an Id that is no string: skipped");
    CHECK(host_named(&out, "aa01") && host_named(&out, "aa02") && host_named(&out, "aa03") &&
              host_named(&out, "aa04"),
          "wrong types: Names not an array, or its first no string: the short ID");
    const struct vmh_host *st = host_named(&out, "st"), *lab = host_named(&out, "lab");
    CHECK(st && st->state == VMH_STATE_STOPPED && lab && lab->state == VMH_STATE_STOPPED,
          "wrong types: State and Status no string: stopped");
    const struct vmh_host *lv = host_named(&out, "lv");
    CHECK(lab && !lab->project && lv && !lv->project && !lv->service && lv->chosen_count == 0 &&
              !lv->wildcard,
          "wrong types: Labels or a label no string: none");
    CHECK_STR(check_addresses_of(&out, "hc"), "10.0.0.8", "wrong types: HostConfig an array");
    CHECK_STR(check_addresses_of(&out, "nm"), "10.0.0.9", "wrong types: NetworkMode an array");
    CHECK_STR(check_addresses_of(&out, "ns"), "", "wrong types: NetworkSettings an array");
    CHECK_STR(check_addresses_of(&out, "nw"), "", "wrong types: Networks an array");
    const struct vmh_host *ip = host_named(&out, "ip");
    CHECK_STR(check_addresses_of(&out, "ip"), "", "wrong types: addresses no strings");
    CHECK_INT(ip ? ip->network_count : 0, 3, "wrong types: a network of any value is a network");
    CHECK_STR(aliases_of(ip, "b"), "", "wrong types: Aliases, DNSNames no arrays");
    CHECK_STR(aliases_of(ip, "c"), "c1", "wrong types: only the strings of Aliases");
    vmh_snapshot_free(&out);
}

static void test_wrong_type_ports(void)
{
    struct vmh_snapshot out = parse_ok(
        "[" ENTRY("aa01", "obj", ",\"Ports\":{\"PublicPort\":80}")
        "," ENTRY("aa02", "elements", ",\"Ports\":[\"x\",7,null,[{\"PublicPort\":80}]]")
        "," ENTRY("aa03", "public", ",\"Ports\":[{\"PublicPort\":\"80\",\"IP\":\"127.0.0.2\"},"
                  "{\"PublicPort\":80.0,\"IP\":\"127.0.0.3\"},{\"PublicPort\":1e3,\"IP\":\"127.0.0.4\"},"
                  "{\"PublicPort\":-1,\"IP\":\"127.0.0.5\"},{\"PublicPort\":true,\"IP\":\"127.0.0.6\"},"
                  "{\"PublicPort\":8080,\"IP\":\"127.0.0.7\"}]")
        "," ENTRY("aa04", "ip", ",\"Ports\":[{\"PublicPort\":80,\"IP\":7},"
                  "{\"PublicPort\":80,\"IP\":null},{\"PublicPort\":80,\"IP\":[\"127.0.0.8\"]}]")
        "," ENTRY("aa05", "no-ip", ",\"Ports\":[{\"PublicPort\":80},{\"PublicPort\":81,\"IP\":\"::\"}]")
        "]", true, "wrong port types: parses");
    CHECK_STR(check_addresses_of(&out, "obj"), "", "wrong port types: Ports an object");
    CHECK_STR(check_addresses_of(&out, "elements"), "", "wrong port types: no object in Ports");
    CHECK_STR(check_addresses_of(&out, "public"), "127.0.0.7",
              "wrong port types: PublicPort only a positive integer");
    CHECK_STR(check_addresses_of(&out, "ip"), "", "wrong port types: an IP no string: none");
    CHECK_STR(check_addresses_of(&out, "no-ip"), "127.0.0.1 ::1",
              "wrong port types: no IP is every address");
    vmh_snapshot_free(&out);
}

/* --- depth, size, numbers and strings jansson refused ------------------ */

/* depth arrays inside one entry's field, after the list's own level. */
static char *nested(size_t depth, size_t *length)
{
    const char *head = "[{\"Id\":\"aa01\",\"Names\":[\"/deep\"],\"Junk\":";
    size_t inner = depth - 2, used = strlen(head);
    char *text = malloc(used + 2 * inner + 3);
    memcpy(text, head, used);
    memset(text + used, '[', inner);
    memset(text + used + inner, ']', inner);
    memcpy(text + used + 2 * inner, "}]", 3);
    *length = used + 2 * inner + 2;
    return text;
}

static void test_depth(void)
{
    size_t length;
    char *text = nested(DEPTH_MAX, &length);
    struct vmh_snapshot out;
    char err[512] = "";
    CHECK_INT(parse_as(text, length, false, &out, err, sizeof err), 0, "depth: 2048 levels parse");
    CHECK(host_named(&out, "deep") != NULL, "depth: and the entry is kept");
    vmh_snapshot_free(&out);
    free(text);
    text = nested(DEPTH_MAX + 1, &length);
    check_refused(text, length, "not JSON", "depth: 2049 levels are refused");
    free(text);
}

static void test_huge_strings(void)
{
    size_t size = (size_t)2 << 20;
    char *text = malloc(size + 1024), *at = text;
    at += sprintf(at, "[{\"Id\":\"aa01\",\"Names\":[\"/");
    memset(at, 'n', size / 2);
    at += size / 2;
    at += sprintf(at, "\"],\"Junk\":\"");
    for (size_t i = 0; i < size / 12; i++)
        at += sprintf(at, "\\u0041");
    at += sprintf(at, "\"}," ENTRY("aa02", "after", "") "]");
    struct vmh_snapshot out;
    char err[512] = "";
    CHECK_INT(parse_as(text, (size_t)(at - text), false, &out, err, sizeof err), 0,
              "huge strings: a 1 MiB name and 1 MiB of escapes parse");
    CHECK(out.count == 2 && host_named(&out, "aa01") && host_named(&out, "after"),
          "huge strings: the long name is no name, the next entry is read");
    vmh_snapshot_free(&out);
    free(text);
}

static void test_refused_as_jansson_did(void)
{
    check_refused("[{\"Id\":\"aa01\",\"Created\":99999999999999999999}]", 47, "not JSON",
                  "numbers: an integer past 64 bits");
    check_refused("[{\"Id\":\"aa01\",\"Created\":1e400}]", 32, "not JSON",
                  "numbers: a real past a double");
    check_refused("[{\"Id\":\"aa\\u0000\"}]", 19, "not JSON", "strings: \\u0000 in a value");
    check_refused("[{\"I\\u0000d\":\"aa\"}]", 19, "not JSON", "strings: \\u0000 in a key");
    check_refused("[/* x */]", 9, "not JSON", "syntax: a comment");
    check_refused("[{\"Id\":\"aa01\"},]", 16, "not JSON", "syntax: a trailing comma");
    check_refused("[] []", 5, "not JSON", "syntax: two values");
    check_refused("{\"a\":", 5, "not JSON", "syntax: a cut object is bad JSON, not the wrong type");
    check_refused("\"list\"", 6, "expected a JSON array", "types: a string at the top");
    check_refused("true", 4, "expected a JSON array", "types: true at the top");
    check_refused("\xef\xbb\xbf[]", 5, "not JSON", "syntax: a byte-order mark");
    struct vmh_snapshot out;
    CHECK_INT(parse_as("[1e-400, -0, 0.5e+3]\n\t ", 23, false, &out, NULL, 0), 0,
              "numbers: an underflow, -0, exponents, trailing blanks parse");
    vmh_snapshot_free(&out);
}

/* Every cut of a real list short of its end is refused as bad JSON. */
static void test_every_cut(void)
{
    char *body = check_read_file(check_fixture(LIST_152), NULL);
    size_t length = body ? strlen(body) : 0;
    while (length > 0 && (body[length - 1] == '\n' || body[length - 1] == ' '))
        length--;
    size_t refused = 0;
    for (size_t cut = 0; cut < length; cut++) {
        struct vmh_snapshot out;
        char err[512] = "";
        if (parse_as(body, cut, false, &out, err, sizeof err) == -1 && strstr(err, "not JSON") &&
            out.count == 0)
            refused++;
        vmh_snapshot_free(&out);
    }
    CHECK(length > 0 && refused == length, "cuts: every cut of the 1.52 list is bad JSON");
    free(body);
}

/* A list past the limit followed by garbage is bad JSON first, as before. */
static void test_too_many_then_garbage(void)
{
    size_t many = 100001;
    char *text = malloc(many * 3 + 8), *end = text;
    *end++ = '[';
    for (size_t i = 0; i < many; i++, end += 3)
        memcpy(end, i ? ",{}" : "{} ", 3);
    memcpy(end, "]x", 2);
    check_refused(text, (size_t)(end + 2 - text), "not JSON", "limit: too many, then garbage");
    free(text);
}

/* The one place the stream differs: jansson refused a lone UTF-16
 * surrogate (\ud800) and the whole list with it; yajl reads it as '?' or
 * as bytes that are no name, so only the field it is in is lost (a name,
 * an address: each is checked again), and the other containers count. */
static void test_lone_surrogate(void)
{
    struct vmh_snapshot out = parse_ok(
        "[{\"Id\":\"aa01\",\"Names\":[\"/x\\ud800\"],\"Junk\":\"\\udc00\"},"
        ENTRY("aa02", "ok", NETS("{\"a\":{\"IPAddress\":\"10.0.0.1\\ud800\"}}")) "]",
        false, "surrogate: a lone surrogate no longer refuses the list");
    CHECK(out.count == 2 && host_named(&out, "aa01"),
          "surrogate: a name holding one is no name: the short ID");
    CHECK_STR(check_addresses_of(&out, "ok"), "", "surrogate: an address holding one is none");
    vmh_snapshot_free(&out);
}

/* Fed a byte at a time, as a socket may hand it over, the list reads the
 * same as whole, and a cut one fails the same. */
static const char *fed_bytewise(const char *body, size_t length, struct vmh_snapshot *out)
{
    static char err[512];
    err[0] = '\0';
    vmh_snapshot_init(out);
    struct vmh_docker_list *list = vmh_docker_list_start(NULL, false, out);
    for (size_t i = 0; list && i < length; i++)
        vmh_docker_list_feed(list, body + i, 1);
    return list && vmh_docker_list_finish(list, err, sizeof err) == 0 ? NULL : err;
}

static void test_fed_in_pieces(void)
{
    size_t length;
    char *body = check_read_file(check_fixture(LIST_152), &length);
    /* Empty, so that a missing fixture fails the checks, not the run. */
    struct vmh_snapshot whole = {0}, pieces = {0};
    CHECK_INT(body ? parse_as(body, length, false, &whole, NULL, 0) : -1, 0, "pieces: whole");
    const char *err = body ? fed_bytewise(body, length, &pieces) : "no fixture";
    CHECK(err == NULL && pieces.count == whole.count, "pieces: byte by byte, as many hosts");
    int same = 0;
    for (size_t i = 0; err == NULL && i < whole.count && i < pieces.count; i++) {
        char a[1024];
        snprintf(a, sizeof a, "%s", check_addresses_of(&whole, whole.hosts[i].name));
        same += strcmp(whole.hosts[i].name, pieces.hosts[i].name) == 0 &&
                strcmp(a, check_addresses_of(&pieces, pieces.hosts[i].name)) == 0;
    }
    CHECK_INT(same, whole.count, "pieces: the same names and addresses");
    vmh_snapshot_free(&pieces);
    err = body ? fed_bytewise(body, length - 3, &pieces) : "no fixture";
    CHECK(err && strstr(err, "not JSON") && pieces.count == 0, "pieces: cut, refused");
    vmh_snapshot_free(&pieces);
    vmh_snapshot_free(&whole);
    free(body);
}

int main(void)
{
    test_repeated_entry_keys();
    test_repeated_network_keys();
    test_repeated_port_keys();
    test_wrong_type_each_field();
    test_wrong_type_ports();
    test_depth();
    test_huge_strings();
    test_refused_as_jansson_did();
    test_every_cut();
    test_too_many_then_garbage();
    test_lone_surrogate();
    test_fed_in_pieces();
    return check_done();
}
