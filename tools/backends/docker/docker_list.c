/* Docker's container list read as a stream (yajl): a host per entry from
 * the dozen fields it uses, every other value skipped as it passes, never
 * a tree of the whole answer.  A refresh of 10,000 containers spent 60 %
 * of its time building jansson's tree of every field (perf, issue 17).
 * What is and is not JSON stays what jansson said: its depth limit, its
 * refusal of \u0000 and of numbers past 64 bits or a double, and a
 * repeated key whose last value counts (docker_list_fields.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "docker.h"
#include "docker_list.h"

#define NOT_A_LIST "Docker answered something that is not a container list"
#define OUT_OF_MEMORY "out of memory while reading Docker's container list"
/* jansson's: deeper is refused, so a hostile answer cannot exhaust the
 * memory of yajl's stack of states either. */
#define DEPTH_MAX 2048

static int refuse(struct vmh_docker_list *list, const char *why)
{
    list->why = why;
    return 0;
}

static int out_of_memory(struct vmh_docker_list *list)
{
    list->out_of_memory = true;
    return 0;
}

static int on_scalar(void *context, enum vmh_value type, const char *text, size_t length)
{
    struct vmh_docker_list *list = context;
    if (list->skip_from)
        return 1;
    return vmh_docker_list_value(list, type, text, length) < 0 ? out_of_memory(list) : 1;
}

static int on_open(struct vmh_docker_list *list, enum vmh_value type)
{
    if (++list->depth > DEPTH_MAX)
        return refuse(list, "nested deeper than 2048 levels");
    if (list->skip_from)
        return 1;
    int place = vmh_docker_list_value(list, type, NULL, 0);
    if (place < 0)
        return out_of_memory(list);
    if (place == VMH_SKIP || list->frame_count == VMH_PLACES_MAX) {
        list->skip_from = list->depth;
        return 1;
    }
    list->frames[list->frame_count++] = (struct vmh_place_frame){.place = (uint8_t)place};
    return 1;
}

static int on_close(void *context)
{
    struct vmh_docker_list *list = context;
    size_t depth = list->depth--;
    if (list->skip_from) {
        if (depth == list->skip_from)
            list->skip_from = 0;
        return 1;
    }
    if (list->frames[--list->frame_count].place != VMH_IN_ENTRY)
        return 1;
    size_t before = list->out->count;
    if (vmh_docker_entry_add(&list->entry, &list->known, list->rootless, list->out) != 0)
        return out_of_memory(list);
    list->shares |= list->out->count > before && list->out->hosts[before].network_container;
    return 1;
}

static int on_key(void *context, const unsigned char *key, size_t length)
{
    struct vmh_docker_list *list = context;
    if (memchr(key, '\0', length))
        return refuse(list, "a key holds \\u0000");
    if (list->skip_from)
        return 1;
    return vmh_docker_list_key(list, (const char *)key, length) < 0 ? out_of_memory(list) : 1;
}

static int on_string(void *context, const unsigned char *text, size_t length)
{
    if (memchr(text, '\0', length))
        return refuse(context, "a string holds \\u0000");
    return on_scalar(context, VMH_STRING, (const char *)text, length);
}

/* jansson refused an integer past 64 bits and a real past a double. */
static bool number_fits(const char *text, size_t length, bool integer)
{
    char small[64];
    char *copy = length < sizeof small ? small : malloc(length + 1);
    if (!copy)
        return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    errno = 0;
    bool fits;
    if (integer) {
        strtoll(copy, NULL, 10);
        fits = errno != ERANGE;
    } else {
        double value = strtod(copy, NULL);
        fits = !((value == HUGE_VAL || value == -HUGE_VAL) && errno == ERANGE);
    }
    if (copy != small)
        free(copy);
    return fits;
}

static int on_number(void *context, const char *text, size_t length)
{
    bool integer = !memchr(text, '.', length) && !memchr(text, 'e', length) &&
                   !memchr(text, 'E', length);
    if (!number_fits(text, length, integer))
        return refuse(context, integer ? "too big integer" : "real number overflow");
    bool positive = integer && text[0] != '-' && !(length == 1 && text[0] == '0');
    return on_scalar(context, positive ? VMH_POSITIVE_INTEGER : VMH_SCALAR, text, length);
}

static int on_null(void *context)
{
    return on_scalar(context, VMH_SCALAR, NULL, 0);
}

static int on_boolean(void *context, int value)
{
    (void)value;
    return on_scalar(context, VMH_SCALAR, NULL, 0);
}

static int on_start_map(void *context)
{
    return on_open(context, VMH_OBJECT);
}

static int on_start_array(void *context)
{
    return on_open(context, VMH_ARRAY);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null, .yajl_boolean = on_boolean, .yajl_number = on_number,
    .yajl_string = on_string, .yajl_start_map = on_start_map, .yajl_map_key = on_key,
    .yajl_end_map = on_close, .yajl_start_array = on_start_array, .yajl_end_array = on_close,
};

struct vmh_docker_list *vmh_docker_list_start(const struct vmh_snapshot *known, bool rootless,
                                              struct vmh_snapshot *out)
{
    struct vmh_docker_list *list = calloc(1, sizeof *list);
    if (!list)
        return NULL;
    list->out = out;
    list->first = out->count;
    list->rootless = rootless;
    if (vmh_docker_index_known(known, &list->known) != 0) {
        free(list);
        return NULL;
    }
    if (!(list->yajl = yajl_alloc(&callbacks, NULL, list))) {
        vmh_id_table_free(&list->known);
        free(list);
        return NULL;
    }
    return list;
}

/* yajl's reason, one line, where it stopped. */
static void note_failure(struct vmh_docker_list *list, const unsigned char *data, size_t length)
{
    list->failed = true;
    if (list->why || list->out_of_memory)
        return;
    unsigned char *text = yajl_get_error(list->yajl, 0, data, length);
    size_t at = list->fed + yajl_get_bytes_consumed(list->yajl);
    snprintf(list->error, sizeof list->error, "byte %zu: %.*s", at,
             text ? (int)strcspn((const char *)text, "\n") : 0, text ? (const char *)text : "");
    yajl_free_error(list->yajl, text);
}

void vmh_docker_list_make_rootless(struct vmh_docker_list *list)
{
    list->rootless = true;
}

int vmh_docker_list_feed(struct vmh_docker_list *list, const char *data, size_t length)
{
    if (list->failed)
        return -1;
    const unsigned char *bytes = (const unsigned char *)data;
    if (yajl_parse(list->yajl, bytes, length) != yajl_status_ok)
        note_failure(list, bytes, length);
    list->fed += length;
    return list->failed ? -1 : 0;
}

/* Why the list is refused, or 0 when it is not. */
static int verdict(struct vmh_docker_list *list, char *err, size_t err_size)
{
    if (!list->failed && yajl_complete_parse(list->yajl) != yajl_status_ok)
        note_failure(list, NULL, 0);
    if (list->out_of_memory)
        vmh_parse_error(err, err_size, OUT_OF_MEMORY);
    else if (list->failed)
        vmh_parse_error(err, err_size, NOT_A_LIST " (not JSON: %s)",
                        list->why ? list->why : list->error);
    else if (list->not_array)
        vmh_parse_error(err, err_size, NOT_A_LIST " (expected a JSON array)");
    else if (list->too_many)
        vmh_parse_error(err, err_size, "Docker listed %zu containers, more than the %d we accept",
                        list->listed, VMH_DOCKER_CONTAINERS_MAX);
    else
        return 0;
    return -1;
}

int vmh_docker_list_finish(struct vmh_docker_list *list, char *err, size_t err_size)
{
    int result = verdict(list, err, err_size);
    /* Only when a host shares another's network: the scan touches every
     * host, a cache miss each (7 % of a refresh of 10,000 and of 100,000,
     * perf, when a host was 770 bytes). */
    if (result != 0)
        vmh_snapshot_truncate(list->out, list->first); /* a failed list adds nothing */
    else if (list->shares)
        vmh_docker_share_addresses(list->out, list->first);
    yajl_free(list->yajl);
    vmh_id_table_free(&list->known);
    vmh_docker_entry_free(&list->entry);
    free(list);
    return result;
}

int vmh_docker_parse_list(const char *body, size_t length, const struct vmh_snapshot *known,
                          struct vmh_snapshot *out, char *err, size_t err_size)
{
    return vmh_docker_parse_engine_list(body, length, known, false, out, err, err_size);
}

int vmh_docker_parse_engine_list(const char *body, size_t length,
                                 const struct vmh_snapshot *known, bool rootless,
                                 struct vmh_snapshot *out, char *err, size_t err_size)
{
    if (!out) {
        vmh_parse_error(err, err_size, "no snapshot to add Docker's containers to");
        return -1;
    }
    if (!body) {
        vmh_parse_error(err, err_size, NOT_A_LIST " (it answered nothing)");
        return -1;
    }
    struct vmh_docker_list *list = vmh_docker_list_start(known, rootless, out);
    if (!list) {
        vmh_parse_error(err, err_size, OUT_OF_MEMORY);
        return -1;
    }
    vmh_docker_list_feed(list, body, length);
    return vmh_docker_list_finish(list, err, err_size);
}
