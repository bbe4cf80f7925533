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
 * effective user may be its caller, and in a process whose real or saved
 * user is another (a root daemon that took a user's id for a while): the
 * user could truncate a cache of theirs that such a process maps, and
 * SIGBUS the root in it.  There only root's files count. */
static inline uid_t vmh_trusted_uid(void)
{
    uid_t real, effective, saved;
    if (getauxval(AT_SECURE) || getresuid(&real, &effective, &saved) != 0)
        return 0;
    return real == effective && saved == effective ? effective : 0;
}

/* Owned by root or by `uid`, and not writable by group or others. */
static inline bool vmh_stat_trusted(const struct stat *st, uid_t uid)
{
    return (st->st_uid == 0 || st->st_uid == uid) && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

#endif
