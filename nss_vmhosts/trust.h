/* Whose files may decide where a lookup connects: root's, and the effective
 * user's own, when no one else can write them.  Settings, caches, lock
 * files and the refresher all pass this rule. */
#ifndef VMHOSTS_TRUST_H
#define VMHOSTS_TRUST_H

#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* The user whose files count besides root's: the effective user, except
 * in a setuid, setgid or file-capability program (AT_SECURE), whose
 * effective user may be its caller: there only root's files count. */
static inline uid_t vmh_trusted_uid(void)
{
    return getauxval(AT_SECURE) ? 0 : geteuid();
}

/* Owned by root or by `uid`, and not writable by group or others. */
static inline bool vmh_stat_trusted(const struct stat *st, uid_t uid)
{
    return (st->st_uid == 0 || st->st_uid == uid) && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

#endif
