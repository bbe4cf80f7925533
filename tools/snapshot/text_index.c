/* See text_index.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text_index.h"

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* Eight bytes with their ASCII capitals made small, as strcasecmp
 * compares them: a byte's low seven bits plus an offset set its high bit
 * from 'A' on, another's past 'Z', and neither sum carries into the next
 * byte. */
static uint64_t folded_word(uint64_t word)
{
    uint64_t low = word & ~HIGHS;
    uint64_t from_a = low + ONES * (0x80 - 'A');
    uint64_t past_z = low + ONES * (0x80 - 'Z' - 1);
    uint64_t capital = from_a & ~past_z & ~word & HIGHS;
    return word | capital >> 2;
}

/* The folded text taken eight bytes at a time, so that both cases land in
 * one slot: a byte at a time, the 64 of a container ID were a chain of 64
 * multiplies for each search.  Each step folds the high half back down,
 * so every byte reaches every bit, and the end mixes again: the slot is
 * the low bits, the tag the high. */
static uint64_t hash_of(const char *text)
{
    size_t length = strlen(text);
    uint64_t hash = 0x9e3779b97f4a7c15u ^ length, word;
    for (; length >= 8; text += 8, length -= 8) {
        memcpy(&word, text, 8);
        hash = (hash ^ folded_word(word)) * 0xff51afd7ed558ccdu;
        hash ^= hash >> 32;
    }
    word = 0;
    memcpy(&word, text, length);
    hash = (hash ^ folded_word(word)) * 0xff51afd7ed558ccdu;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53u;
    return hash ^ hash >> 33;
}

int vmh_text_index_init(struct vmh_text_index *index, size_t expected)
{
    /* At most half full, so that a probe ends soon at a free slot. */
    size_t count = 16;
    while (count / 2 < expected) {
        if (count > SIZE_MAX / 2 / sizeof *index->slots || count >= UINT32_MAX)
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

static bool holds(const struct vmh_text_slot *slot, uint32_t tag, const char *text,
                  const struct vmh_text_index *index)
{
    return slot->tag == tag && strcasecmp(index->texts[slot->number - 1], text) == 0;
}

/* The slot holding `text`, or the free slot where it would go. */
static size_t slot_of(const struct vmh_text_index *index, const char *text, uint32_t *tag)
{
    uint64_t hash = hash_of(text);
    size_t slot = (size_t)hash & index->mask;
    *tag = (uint32_t)(hash >> 32);
    while (index->slots[slot].number && !holds(&index->slots[slot], *tag, text, index))
        slot = (slot + 1) & index->mask;
    return slot;
}

size_t vmh_text_index_find(const struct vmh_text_index *index, const char *text)
{
    uint32_t tag;
    return (size_t)index->slots[slot_of(index, text, &tag)].number - 1;
}

size_t vmh_text_index_add(struct vmh_text_index *index, const char *text, bool *added)
{
    uint32_t tag;
    struct vmh_text_slot *slot = &index->slots[slot_of(index, text, &tag)];
    *added = false;
    if (slot->number)
        return slot->number - 1;
    if (index->count >= index->limit)
        return VMH_TEXT_INDEX_NONE;
    index->texts[index->count] = text;
    *slot = (struct vmh_text_slot){.number = (uint32_t)++index->count, .tag = tag};
    *added = true;
    return index->count - 1;
}
