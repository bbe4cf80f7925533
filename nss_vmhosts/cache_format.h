/* The on-disk cache: one snapshot of every container and VM, written by
 * `vmhosts refresh` (tools/snapshot/cache_write.c) and read by the module
 * (cache_read.c).  Every field has a fixed width and its natural alignment,
 * so no compiler adds padding and the bytes are the same for a 32-bit and
 * a 64-bit reader (the static assertions below hold it).  Integers are
 * little-endian on every machine: a big-endian writer and reader turn them
 * around (cache_order.h), and the checksum reads the bytes as little-endian
 * words, so a file is the same bytes wherever it was written.
 *
 * A fresh process reads a few hundred bytes of a cache of 100,000 names:
 * checking all 17 MB of it on load cost ~12 ms, so the checks follow the
 * reads.  The header's seal covers the header, the block table and the
 * sections (small); the block table holds a checksum of each
 * VMH_CACHE_BLOCK_SIZE bytes from the records to the end, which the reader
 * verifies the first time it reads a byte of that block (cache_read.c), and
 * each entry is checked as it is read.  `vmhosts` checks every byte and
 * the key order up front (tools/snapshot/cache_verify.c).
 *
 * Layout: header, block table, backend sections, records, keys, key slots,
 * addresses, string pool.
 * Each backend has a section named by a string ("docker"), so a new backend
 * is a new section, not a new version; a reader answers nothing from the
 * records of a section it does not know.  The key table is
 * sorted by (kind, key), so that a unique ID prefix is two neighbouring
 * keys, and an open-addressing hash table of slots points at the first key
 * of each (kind, key), so that a lookup reads one key or two at any size
 * rather than a binary search's 17 at 100,000: no index is built in the
 * reading process. */
#ifndef VMHOSTS_CACHE_FORMAT_H
#define VMHOSTS_CACHE_FORMAT_H

#include <endian.h>
#include <stdint.h>

#include "backends.h"

#define VMH_CACHE_MAGIC "VMHCACHE"
/* 2: backend sections by name instead of a fixed array in the header.
 * 3: network keys (VMH_KEY_NETWORK), label keys (VMH_KEY_LABEL), each
 * address's network and a record's preferred network; a version 2
 * reader would refuse those keys as corrupt rather than as another
 * version's.
 * 4: the block table, and a seal over the header, block table and sections
 * only.
 * 5: the key slots.
 * 6: the header's `replaced` mark.  A file of another version is refused
 * (and the refresher replaces it). */
#define VMH_CACHE_VERSION 6u
/* A cache larger than this is not ours: refuse it rather than read it. */
#define VMH_CACHE_MAX_SIZE (64u * 1024u * 1024u)

/* The unit of the lazy check: a lookup verifies some 30 blocks (key probes
 * and their strings), and the table is 4 bytes a block that every load
 * seals; 4096 keeps both a few microseconds at 100,000 names. */
#define VMH_CACHE_BLOCK_SIZE 4096u

/* More sections than this is not a cache of ours. */
#define VMH_CACHE_MAX_BACKENDS 32

/* How a backend answered the last refresh that tried it. */
enum vmh_backend_status {
    VMH_STATUS_NEVER = 0,        /* never asked */
    VMH_STATUS_OK = 1,
    VMH_STATUS_UNAVAILABLE = 2,  /* not running, not installed */
    VMH_STATUS_DENIED = 3,       /* permission denied */
    VMH_STATUS_ERROR = 4,        /* answered garbage, timed out */
    VMH_STATUS_MAX = 4
};

enum vmh_key_kind {
    VMH_KEY_DOCKER_ID = 1,       /* full 64-hex ID, lowercase */
    VMH_KEY_DOCKER_NAME = 2,     /* container name without '/', lowercase */
    VMH_KEY_DOCKER_HOSTNAME = 3, /* Config.Hostname, lowercase */
    VMH_KEY_INSTANCE = 4,        /* an instance backend's name for it, lowercase */
    VMH_KEY_COMPOSE = 5,         /* "<service>.<project>", lowercase */
    /* "<name>.<network>", lowercase, for the container's name and each of
     * its aliases and DNSNames on that network; the key's `reserved` holds
     * vmh_network_key(network, length of <name>) (see below). */
    VMH_KEY_NETWORK = 6,
    /* A name its vmhosts.names label chose, whole and lowercase
     * ("api.shop.docker", "api.shop.test"): which domains may answer it is
     * the reader's settings' call (label_domains). */
    VMH_KEY_LABEL = 7,
    VMH_KEY_KIND_MAX = 7
};

enum vmh_record_state {
    VMH_STATE_STOPPED = 0,
    VMH_STATE_RUNNING = 1
};

enum vmh_record_flag {
    /* --network container:<x>: the addresses are x's, so a reverse lookup
     * of them names x, not every container that joined it. */
    VMH_RECORD_SHARED_NETWORK = 1,
    /* A user's rootless engine's container: its addresses are the host
     * addresses its ports are published on (the machine's own), so it
     * never answers a reverse lookup, and none means "publishes nothing". */
    VMH_RECORD_ROOTLESS = 2,
    /* Its label vmhosts.wildcard=true: every name below its own name and
     * the names its label chose answers it, when no name is exactly that. */
    VMH_RECORD_WILDCARD = 4
};

/* One backend's section: how it answered. */
struct vmh_cache_backend {
    uint32_t name;        /* string: "docker", "multipass"; unique in the file */
    uint32_t status;      /* enum vmh_backend_status */
    int64_t updated_ms;   /* last successful refresh, Unix ms; 0 = never */
    int64_t attempted_ms; /* last attempt, successful or not */
    uint32_t message;     /* string: what went wrong, "" when ok */
    uint32_t reserved;
};

struct vmh_cache_header {
    char magic[8];
    uint32_t version;
    uint32_t header_size;   /* sizeof(struct vmh_cache_header) */
    uint64_t file_size;
    uint64_t checksum;      /* vmh_cache_seal: header, block table, sections */
    int64_t written_ms;
    uint32_t record_count, records_off;
    uint32_t key_count, keys_off;
    uint32_t addr_count, addrs_off;
    uint32_t strings_size, strings_off;
    uint32_t backend_count, backends_off;
    /* One uint32_t vmh_cache_block_sum per VMH_CACHE_BLOCK_SIZE bytes from
     * records_off to the end of the file, the last block shorter. */
    uint32_t block_count, blocks_off;
    /* A power of two at least twice the number of distinct (kind, key)
     * pairs (0 when there are no keys), each uint32_t the index of the
     * first key of one pair plus one, 0 for an empty slot; a pair sits at
     * vmh_cache_key_hash of it, or the first empty slot after, wrapping. */
    uint32_t slot_count, slots_off;
    /* 0 as written.  The writer sets it in the file in place just before
     * it renames the next one over it, so that a process mapping this one
     * looks for the next at its next lookup, not a clock tick later.  Not
     * sealed: a file marked is still whole, and the mark only makes a
     * reader look at the file's name again, as it does every tick. */
    uint32_t replaced;
    uint32_t reserved;
};

/* Strings are offsets into the pool; offset 0 is always "". */
struct vmh_cache_record {
    uint32_t name;        /* container name or VM name, as the backend spells it */
    uint32_t id;          /* Docker's full ID, "" for a VM */
    uint32_t hostname;    /* Config.Hostname, "" for a VM */
    uint32_t project;     /* com.docker.compose.project label, or "" */
    uint32_t service;     /* com.docker.compose.service label, or "" */
    uint32_t addr_first;  /* index into the address table */
    uint32_t addr_count;
    uint8_t backend;      /* index of its backend's section */
    uint8_t state;        /* enum vmh_record_state */
    uint8_t flags;        /* enum vmh_record_flag; 0 in caches written before it */
    uint8_t network;      /* the network its vmhosts.network label puts first
                           * (as vmh_cache_addr.network); 0: none */
};

struct vmh_cache_key {
    uint32_t key;         /* string, lowercase */
    uint16_t kind;        /* enum vmh_key_kind */
    uint16_t reserved;
    uint32_t record;      /* index into the record table */
};

struct vmh_cache_addr {
    uint8_t family;       /* 4 or 6 */
    uint8_t network;      /* its network among the record's, from 1; 0: none known */
    /* The refresher's only: which attachment to that network gave it
     * (Docker's EndpointID folded by vmh_docker_endpoint_tag in
     * tools/backends/docker/docker_entry_networks.c, little-endian), so that a
     * container disconnected and connected again, with new aliases, is
     * inspected again; 0: not known. */
    uint8_t endpoint[2];
    uint8_t bytes[16];    /* 4 used for IPv4 */
};

/* A network key's `reserved`: which of the record's networks (1 to 255, as
 * in vmh_cache_addr.network) and where <name> ends in the key's text.  Both
 * a container name and a network name may hold dots, so the split is
 * recorded rather than guessed; a refresh reads the networks back from it. */
static inline uint16_t vmh_network_key(uint8_t network, uint8_t name_length)
{
    return (uint16_t)(network | (unsigned)name_length << 8);
}
static inline uint8_t vmh_network_key_network(uint16_t reserved)
{
    return (uint8_t)(reserved & 0xffu);
}
static inline uint8_t vmh_network_key_name_length(uint16_t reserved)
{
    return (uint8_t)(reserved >> 8);
}

_Static_assert(sizeof(struct vmh_cache_backend) == 32, "no padding in a backend section");
_Static_assert(sizeof(struct vmh_cache_header) == 104, "no padding in the header");
_Static_assert(sizeof(struct vmh_cache_record) == 32, "no padding in a record");
_Static_assert(sizeof(struct vmh_cache_key) == 12, "no padding in a key");
_Static_assert(sizeof(struct vmh_cache_addr) == 20, "no padding in an address");

/* FNV-1a over little-endian 64-bit words (bytes for the tail): enough to
 * tell a torn or flipped file.  It seals the KiB every load reads. */
static inline uint64_t vmh_cache_checksum(const void *data, uint64_t length)
{
    const unsigned char *byte = data;
    uint64_t hash = 0xcbf29ce484222325ull;
    uint64_t i = 0;
    for (; i + 8 <= length; i += 8) {
        uint64_t word;
        __builtin_memcpy(&word, byte + i, 8);
        hash ^= le64toh(word);
        hash *= 0x100000001b3ull;
    }
    for (; i < length; i++) {
        hash ^= byte[i];
        hash *= 0x100000001b3ull;
    }
    return hash;
}

static inline uint64_t vmh_cache_word(const unsigned char *byte)
{
    uint64_t word;
    __builtin_memcpy(&word, byte, 8);
    return le64toh(word);
}

/* A block's entry in the block table: four FNV-1a lanes over interleaved
 * words, so that the multiplies of one do not wait on another's (a lookup
 * verifies some 30 blocks: 4 times faster than one lane), then folded to
 * 32 bits, a miss in four billion for a block torn or flipped. */
static inline uint32_t vmh_cache_block_sum(const void *data, uint64_t length)
{
    const unsigned char *byte = data;
    const uint64_t prime = 0x100000001b3ull;
    uint64_t a = 1, b = 2, c = 3, d = 4, i = 0;
    for (; i + 32 <= length; i += 32) {
        a = (a ^ vmh_cache_word(byte + i)) * prime;
        b = (b ^ vmh_cache_word(byte + i + 8)) * prime;
        c = (c ^ vmh_cache_word(byte + i + 16)) * prime;
        d = (d ^ vmh_cache_word(byte + i + 24)) * prime;
    }
    uint64_t hash = vmh_cache_checksum(byte + i, length - i);
    hash = (((((hash ^ a) * prime ^ b) * prime ^ c) * prime) ^ d) * prime;
    return (uint32_t)(hash ^ hash >> 32);
}

/* FNV-1a of a key's kind and text, which the writer and reader must agree
 * on byte for byte: it places the key in the slot table. */
static inline uint32_t vmh_cache_key_hash(uint16_t kind, const char *key)
{
    uint32_t hash = (2166136261u ^ kind) * 16777619u;
    for (const unsigned char *at = (const unsigned char *)key; *at; at++)
        hash = (hash ^ *at) * 16777619u;
    return hash;
}

/* The blocks a file of `size` bytes whose records start at `start` has. */
static inline uint64_t vmh_cache_blocks(uint64_t start, uint64_t size)
{
    return start >= size ? 0 : (size - start + VMH_CACHE_BLOCK_SIZE - 1) / VMH_CACHE_BLOCK_SIZE;
}

/* What the header's checksum field holds, as its bytes in the file, for a
 * file whose first `sealed` bytes (at least a header: up to its records)
 * are sealed: the checksum of the header in which that field holds the
 * checksum of the sealed bytes after it, so that a flipped timestamp, block
 * checksum or backend status fails the check too; the `replaced` mark is
 * read as 0. */
static inline uint64_t vmh_cache_seal(const unsigned char *data, uint64_t sealed)
{
    struct vmh_cache_header header;
    __builtin_memcpy(&header, data, sizeof header);
    header.replaced = 0;
    header.checksum = htole64(vmh_cache_checksum(data + sizeof header, sealed - sizeof header));
    return htole64(vmh_cache_checksum(&header, sizeof header));
}

#endif
