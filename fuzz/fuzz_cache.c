/* libFuzzer target: the cache reader (vmh_cache_parse) and everything a
 * lookup does with a cache it accepted.
 *
 * The checksums would stop almost every mutation, yet anyone who can write
 * the file can also compute them; so an input the reader refuses is tried
 * again with its size, block count, block checksums and seal made right,
 * which lets the fuzzer reach the offsets, tables and strings behind them.
 * An input it accepts as it is has its lookups run over whatever blocks
 * they read, corrupt or not: the lazy checks (cache_read.c).  Both then
 * meet the full check `vmhosts` makes, and every input the writer's
 * comparison with the file it would replace.  A real cache file is a seed
 * as it is. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cache.h"
#include "resolve.h"
#include "snapshot.h"

/* Each block's checksum, when the table the header places is in the file
 * before the records. */
static void fix_blocks(unsigned char *data, size_t size, uint64_t start, uint64_t table)
{
    uint64_t blocks = vmh_cache_blocks(start, size);
    if (table % 4 != 0 || table < sizeof(struct vmh_cache_header) || table > start ||
        blocks > (start - table) / 4)
        return;
    for (uint64_t i = 0; i < blocks; i++) {
        uint64_t at = start + i * VMH_CACHE_BLOCK_SIZE;
        uint64_t length = size - at < VMH_CACHE_BLOCK_SIZE ? size - at : VMH_CACHE_BLOCK_SIZE;
        uint32_t sum = htole32(vmh_cache_block_sum(data + at, length));
        memcpy(data + table + i * 4, &sum, 4);
    }
}

static void fix_header(unsigned char *data, size_t size)
{
    struct vmh_cache_header header;
    if (size < sizeof header)
        return;
    memcpy(&header, data, sizeof header);
    uint64_t start = le32toh(header.records_off);
    if (start < sizeof header || start > size)
        return;
    header.file_size = htole64(size);
    header.block_count = htole32((uint32_t)vmh_cache_blocks(start, size));
    memcpy(data, &header, sizeof header);
    fix_blocks(data, size, start, le32toh(header.blocks_off));
    header.checksum = vmh_cache_seal(data, start);
    memcpy(data, &header, sizeof header);
}

/* What the module and the command do with an accepted cache. */
static void use_cache(const struct vmh_cache *cache)
{
    static const char *const names[] = {"web.docker", "3f4e.docker", "my-thing", "primary.example.org",
                                        "a.docker", "0.docker", "x"};
    struct vmh_config config;
    struct vmh_name name;
    struct vmh_answer answer;
    vmh_config_defaults(&config);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (vmh_name_classify(names[i], &config, &name) == VMH_NAME_NOT_OURS)
            continue;
        vmh_resolve(cache, &name, AF_UNSPEC, &answer);
        vmh_resolve(cache, &name, AF_INET6, &answer);
        /* As getaddrinfo's entry point and gethostbyname2's ask. */
        vmh_resolve(cache, &name, AF_UNSPEC | VMH_NO_ALIASES, &answer);
        vmh_resolve(cache, &name, AF_INET | VMH_FAMILY_ONLY, &answer);
    }
    /* Every address the cache holds, asked back. */
    for (uint32_t i = 0; i < cache->header->addr_count && i < 64; i++) {
        const struct vmh_cache_addr *addr = vmh_cache_addr(cache, i);
        vmh_resolve_address(cache, &config, addr->family == 4 ? AF_INET : AF_INET6, addr->bytes,
                            &answer);
    }
    /* The refresher reads a previous cache only once it is checked whole. */
    if (!vmh_cache_verify_all(cache))
        return;
    struct vmh_snapshot snapshot;
    vmh_snapshot_init(&snapshot);
    vmh_snapshot_from_cache(&snapshot, cache, VMH_SNAPSHOT_ALL);
    vmh_snapshot_free(&snapshot);
    /* A poll's way (tools/refresh/refresh.c): the asked backend's hosts,
     * its part built, then the others' hosts. */
    unsigned asked = 1u << VMH_BACKEND_DOCKER;
    unsigned char *part;
    size_t part_size;
    vmh_snapshot_init(&snapshot);
    if (vmh_snapshot_from_cache(&snapshot, cache, asked) == 0 &&
        vmh_cache_build_section(&snapshot, VMH_BACKEND_DOCKER, 0, &part, &part_size) == 0)
        free(part);
    vmh_snapshot_from_cache(&snapshot, cache, VMH_SNAPSHOT_ALL & ~asked);
    vmh_snapshot_free(&snapshot);
    /* After Docker's events: the part they name (the first record's ID),
     * then the rest.  Each record's ID is read to tell. */
    struct vmh_part named = {.count = 1};
    const char *id = cache->header->record_count
                         ? vmh_cache_string(cache, cache->records[0].id) : "";
    snprintf(named.ids[0], sizeof named.ids[0], "%s", id);
    vmh_snapshot_init(&snapshot);
    vmh_snapshot_from_cache_part(&snapshot, cache, VMH_BACKEND_DOCKER, &named, true);
    vmh_snapshot_from_cache_part(&snapshot, cache, VMH_BACKEND_DOCKER, &named, false);
    vmh_snapshot_free(&snapshot);
}

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size)
{
    /* The reader needs 8-byte alignment, as malloc gives the module. */
    unsigned char *data = malloc(size ? size : 1);
    if (!data)
        return 0;
    memcpy(data, input, size);
    /* The comparison reads the offsets its bytes give (cache_same.c).  The
     * refresh gives it only builds of its own, but it must not read past
     * what it is given whatever they hold. */
    vmh_cache_same_answers(input, data, size);
    struct vmh_cache cache;
    if (vmh_cache_parse(&cache, data, size) == VMH_CACHE_OK) {
        use_cache(&cache);
    } else {
        fix_header(data, size);
        if (vmh_cache_parse(&cache, data, size) == VMH_CACHE_OK)
            use_cache(&cache);
    }
    vmh_cache_forget(&cache);
    free(data);
    return 0;
}
