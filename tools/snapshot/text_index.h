/* Texts numbered 0, 1, ... in the order first added, found again in
 * constant time, letters of either case alike (ASCII, as strcasecmp
 * compares them in the C locale).  The libvirt backend matches leases to
 * domains by MAC and by name: a scan per lease made its refresh cubic
 * (2,000 guests took minutes).  A fixed-size open-addressing table of
 * borrowed texts: they must outlive it. */
#ifndef VMHOSTS_TEXT_INDEX_H
#define VMHOSTS_TEXT_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMH_TEXT_INDEX_NONE ((size_t)-1)

/* A slot carries the rest of its text's hash, so that a probe past
 * another text reads neither that text's number nor the text itself: at
 * 100,000 containers those reads were cache misses, most of the index's
 * cost in a refresh (perf). */
struct vmh_text_slot {
    uint32_t number; /* a number + 1; 0 where empty */
    uint32_t tag;    /* the hash's high half */
};

struct vmh_text_index {
    const char **texts;           /* by number */
    struct vmh_text_slot *slots;
    size_t mask;                  /* slot count - 1; a power of two */
    size_t count, limit;
};

/* Room for `expected` texts (more are refused); -1 when out of memory. */
int vmh_text_index_init(struct vmh_text_index *index, size_t expected);
void vmh_text_index_free(struct vmh_text_index *index);

/* The number of `text`, or VMH_TEXT_INDEX_NONE. */
size_t vmh_text_index_find(const struct vmh_text_index *index, const char *text);

/* The number of `text`, the next one (*added set) when it is new;
 * VMH_TEXT_INDEX_NONE when the index is full. */
size_t vmh_text_index_add(struct vmh_text_index *index, const char *text, bool *added);

#endif
