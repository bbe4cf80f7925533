/* Whose files may decide where a lookup connects: root's, and the effective
 * user's own, when no one else can write them.  Settings, caches, lock
 * files and the refresher all pass this rule. */
#ifndef VMHOSTS_TRUST_H
#define VMHOSTS_TRUST_H

#include <stdbool.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's overflow user (/proc/sys/kernel/overflowuid, 65534 unless
 * changed): what a user namespace shows for every user it does not map,
 * the process's own included when that one is not mapped (`unshare -U`).
 * There another user's file would look like the process's own. */
#define VMH_OVERFLOW_UID 65534
/* The first user namespace's inode: PROC_USER_INIT_INO of the kernel's
 * linux/proc_ns.h, fixed since Linux 3.8. */
#define VMH_INIT_USER_NS_INO 0xEFFFFFFDu

/* Whether `uid` may be the overflow user standing for whoever is not
 * mapped: 65534 outside the first user namespace (or where /proc cannot
 * say).  Such a user's files are no one's in particular. */
static inline bool vmh_uid_ambiguous(uid_t uid)
{
    struct stat st;
    return uid == VMH_OVERFLOW_UID &&
           (stat("/proc/self/ns/user", &st) != 0 || st.st_ino != VMH_INIT_USER_NS_INO);
}

/* The user whose files count besides root's: the effective user, except
 * in a setuid, setgid or file-capability program (AT_SECURE), whose
 * effective user may be its caller, in a process whose own user is the
 * overflow user of a user namespace, and in a process whose real or saved
 * user is another (a root daemon that took a user's id for a while): the
 * user could truncate a cache of theirs that such a process maps, and
 * SIGBUS the root in it.  There only root's files count. */
static inline uid_t vmh_trusted_uid(void)
{
    uid_t real, effective, saved;
    if (getauxval(AT_SECURE) || getresuid(&real, &effective, &saved) != 0)
        return 0;
    return real == effective && saved == effective && !vmh_uid_ambiguous(effective) ? effective
                                                                                      : 0;
}

/* Owned by root or by `uid` (unless that may be anyone), and not
 * writable by group or others. */
static inline bool vmh_stat_trusted(const struct stat *st, uid_t uid)
{
    return (st->st_uid == 0 || (st->st_uid == uid && !vmh_uid_ambiguous(uid))) &&
           (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

#endif
