/* See text_index.h. */
#include <stdint.h>
#include <stdlib.h>
#include <strings.h>

#include "text_index.h"

static unsigned char folded(char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : (unsigned char)c;
}

/* FNV-1a of the folded text, so that both cases land in one slot. */
static size_t hash_of(const char *text)
{
    uint64_t hash = 14695981039346656037u;
    for (; *text; text++)
        hash = (hash ^ folded(*text)) * 1099511628211u;
    return (size_t)hash;
}

int vmh_text_index_init(struct vmh_text_index *index, size_t expected)
{
    /* At most half full, so that a probe ends soon at a free slot. */
    size_t count = 16;
    while (count / 2 < expected) {
        if (count > SIZE_MAX / 2 / sizeof *index->slots)
            return -1;
        count *= 2;
    }
    index->slots = calloc(count, sizeof *index->slots);
    index->texts = calloc(count / 2, sizeof *index->texts);
    index->mask = count - 1;
    index->count = 0;
    index->limit = count / 2;
    if (index->slots && index->texts)
        return 0;
    vmh_text_index_free(index);
    return -1;
}

void vmh_text_index_free(struct vmh_text_index *index)
{
    free(index->slots);
    free(index->texts);
    index->slots = NULL;
    index->texts = NULL;
}

/* The slot holding `text`, or the free slot where it would go. */
static size_t slot_of(const struct vmh_text_index *index, const char *text)
{
    size_t slot = hash_of(text) & index->mask;
    while (index->slots[slot] && strcasecmp(index->texts[index->slots[slot] - 1], text) != 0)
        slot = (slot + 1) & index->mask;
    return slot;
}

size_t vmh_text_index_find(const struct vmh_text_index *index, const char *text)
{
    return index->slots[slot_of(index, text)] - 1;
}

size_t vmh_text_index_add(struct vmh_text_index *index, const char *text, bool *added)
{
    size_t slot = slot_of(index, text);
    *added = false;
    if (index->slots[slot])
        return index->slots[slot] - 1;
    if (index->count >= index->limit)
        return VMH_TEXT_INDEX_NONE;
    index->texts[index->count] = text;
    index->slots[slot] = ++index->count;
    *added = true;
    return index->count - 1;
}
