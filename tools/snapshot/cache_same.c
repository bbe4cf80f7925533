/* Whether two builds answer alike (snapshot.h, vmh_cache_same_answers): a
 * poll compares its backend's part of the cache before and after the
 * answer (refresh.c, vmh_cache_build_section).  A build is the same bytes for the
 * same snapshot (cache_write.c), so two files answer alike when they are
 * the same bytes but for the time stamps and the seal over them; those
 * all sit before the records (cache_format.h: header, block table,
 * sections), so the records and everything after are compared whole. */
#include <stddef.h>
#include <string.h>

#include "cache_order.h"
#include "snapshot.h"

/* The header as the file holds it, without its time stamp, seal and mark. */
static void header_without_time(const unsigned char *data, struct vmh_cache_header *header)
{
    memcpy(header, data, sizeof *header);
    header->written_ms = 0;
    header->checksum = 0;
    header->replaced = 0;
}

static void section_without_time(const unsigned char *data, struct vmh_cache_backend *section)
{
    memcpy(section, data, sizeof *section);
    section->updated_ms = 0;
    section->attempted_ms = 0;
}

bool vmh_cache_same_answers(const unsigned char *a, const unsigned char *b, size_t size)
{
    struct vmh_cache_header header_a, header_b;
    if (size < sizeof header_a)
        return false;
    header_without_time(a, &header_a);
    header_without_time(b, &header_b);
    if (memcmp(&header_a, &header_b, sizeof header_a) != 0)
        return false;
    vmh_cache_header_byteswap(&header_a); /* the offsets, in this machine's order */
    uint64_t sections_end = (uint64_t)header_a.backends_off +
                            (uint64_t)header_a.backend_count * sizeof(struct vmh_cache_backend);
    if (header_a.backends_off < sizeof header_a || sections_end > header_a.records_off ||
        header_a.records_off > size)
        return false;
    if (memcmp(a + sizeof header_a, b + sizeof header_a, header_a.backends_off - sizeof header_a))
        return false;
    for (uint64_t at = header_a.backends_off; at < sections_end;
         at += sizeof(struct vmh_cache_backend)) {
        struct vmh_cache_backend section_a, section_b;
        section_without_time(a + at, &section_a);
        section_without_time(b + at, &section_b);
        if (memcmp(&section_a, &section_b, sizeof section_a) != 0)
            return false;
    }
    return memcmp(a + sections_end, b + sections_end, size - sections_end) == 0;
}
