/* A process that changes its effective user between lookups (a daemon
 * that drops to a user and back) is answered from root's caches alone
 * while root is still its real or saved user (the user could truncate a
 * cache of theirs under root's mapping: SIGBUS), from the user's own once
 * it dropped root for good, and never, back as root, from a cache another
 * user wrote.  Only root's own view may stand a millisecond longer, since
 * every user trusts it; nor may the settings that user could write, or a
 * program that user chose run with root as its real user.  Needs root
 * (seteuid); skipped otherwise. */
#include <arpa/inet.h>
#include <ftw.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "held_clock.h"
#include "nss_vmhosts.h"
#include "snapshot.h"
#include "web_cache.h"

#define USER_UID 65534

static char root_cache[300], user_cache[300];

static char top[] = "/tmp/vmhosts-test-euid-XXXXXX";

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st, (void)type, (void)ftw;
    return remove(path);
}

/* Root's cache says 172.17.0.2; the user's own, newer one says 10.6.6.6. */
static void setup(void)
{
    char conf_path[300], file[340];
    if (!mkdtemp(top))
        printf("# mkdtemp failed\n");
    chmod(top, 0755);
    snprintf(root_cache, sizeof root_cache, "%s/root", top);
    snprintf(user_cache, sizeof user_cache, "%s/user-%d", top, USER_UID);
    snprintf(conf_path, sizeof conf_path, "%s/vmhosts.conf", top);
    FILE *conf = fopen(conf_path, "w");
    fprintf(conf, "cache_dir = %s\nuser_cache_dir = %s/user-%%u\nttl = 3600\n"
                  "refresh_command = /nonexistent/vmhosts\n", root_cache, top);
    fclose(conf);
    setenv("VMHOSTS_CONF", conf_path, 1);

    int64_t now = vmh_realtime_ms();
    write_web(root_cache, "172.17.0.2", now - 5000);
    write_web(user_cache, "10.6.6.6", now);
    snprintf(file, sizeof file, "%s/hosts.cache", user_cache);
    if (chown(user_cache, USER_UID, USER_UID) != 0 || chmod(user_cache, 0700) != 0 ||
        chown(file, USER_UID, USER_UID) != 0)
        printf("# cannot hand the user cache to uid %d\n", USER_UID);
}

/* From here on, asking the kernel who the process is (geteuid() or
 * getresuid()) kills it (SIGSYS). */
static bool forbid_geteuid(void)
{
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_geteuid, 1, 0),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getresuid, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {.len = sizeof filter / sizeof filter[0], .filter = filter};
    return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

/* In a child: looks web.docker up once, a millisecond after the parent's
 * last lookup, then 200 times more with geteuid() forbidden, the last of
 * them `later` ms on.  Exits 0 when every answer was `address`; a lookup
 * that asks geteuid() kills it with SIGSYS. */
static _Noreturn void hits_then_exit(const char *address, int64_t later)
{
    held_ms++;
    if (strcmp(web_address(), address) != 0 || !forbid_geteuid())
        _exit(3);
    for (int i = 0; i < 199; i++)
        if (strcmp(web_address(), address) != 0)
            _exit(4);
    held_ms += later;
    _exit(strcmp(web_address(), address) == 0 ? 0 : 5);
}

static int wait_status(pid_t pid)
{
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0)
        ;
    return status;
}

/* A child that takes the user (saved user `saved`; keeping its permitted
 * capabilities when `keep_caps`) and makes hits_then_exit's lookups;
 * returns its wait status. */
static int hits_after_drop(uid_t saved, bool keep_caps)
{
    pid_t pid = fork();
    if (pid == 0) {
        if ((keep_caps && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) ||
            setresuid(USER_UID, USER_UID, saved) != 0)
            _exit(2);
        /* With root its saved user, root's cache; dropped for good, the user's. */
        hits_then_exit(saved == 0 ? "172.17.0.2" : "10.6.6.6", 0);
    }
    return wait_status(pid);
}

/* A process that can never change its effective user again asks it once,
 * not on every hit (the system call costs as much as the rest of a hit);
 * one that could change it back asks every time, as the checks above
 * need. */
static void check_geteuid_asked_once(void)
{
    int status = hits_after_drop(USER_UID, false);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "a process that dropped root for good: hits without geteuid()");
    status = hits_after_drop(0, false);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
          "saved user root (it may seteuid back): every hit asks geteuid()");
    status = hits_after_drop(USER_UID, true);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
          "CAP_SETUID still permitted: every hit asks geteuid()");
}

/* A child, root, that makes hits_then_exit's lookups, all in one
 * millisecond or the last a millisecond on (`later`). */
static int hits_as_root(bool later)
{
    pid_t pid = fork();
    if (pid == 0)
        hits_then_exit("172.17.0.2", later);
    return wait_status(pid);
}

/* Root may become anyone: it is asked once a millisecond, not per hit
 * (the system call costs more than the rest of a hit, here 1.1 us). */
static void check_root_asked_per_millisecond(void)
{
    int status = hits_as_root(false);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "root, within a millisecond: hits without geteuid()");
    status = hits_as_root(true);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS,
          "root, a millisecond on: geteuid() asked again");
}

/* A file of `mode` at top/name, owned by the user. */
static void write_user_file(const char *name, const char *text, mode_t mode, char *path,
                            size_t size)
{
    snprintf(path, size, "%s/%s", top, name);
    FILE *file = fopen(path, "w");
    if (!file || fputs(text, file) < 0 || fclose(file) != 0 || chmod(path, mode) != 0 ||
        chown(path, USER_UID, USER_UID) != 0)
        printf("# cannot write %s\n", path);
}

/* A root daemon with a user's VMHOSTS_CONF (`sudo -E`) that takes the
 * user's effective id for a moment.  The user's settings choose a suffix,
 * a cache folder holding a root-owned cache, and the user's own program
 * as the refresher.  As the user, a miss must not run that program: it
 * would inherit root as its real user.  Back as root, at once, the
 * settings loaded as the user must not stand. */
static void check_user_settings_in_root_daemon(void)
{
    char conf[300], program[300], text[1200], marks[320], evil_cache[320], evil_user[320];
    snprintf(marks, sizeof marks, "%s/marks", top);
    snprintf(evil_cache, sizeof evil_cache, "%s/evil", top);
    snprintf(evil_user, sizeof evil_user, "%s/evil-user", top);
    if (mkdir(marks, 0777) != 0 || chmod(marks, 0777) != 0 || mkdir(evil_user, 0700) != 0 ||
        chown(evil_user, USER_UID, USER_UID) != 0)
        printf("# cannot make %s or %s\n", marks, evil_user);
    write_web(evil_cache, "192.0.2.66", vmh_realtime_ms());
    snprintf(text, sizeof text, "#!/bin/sh\ntouch %s/ran\n", marks);
    write_user_file("user-refresher", text, 0755, program, sizeof program);
    snprintf(text, sizeof text, "docker_suffix = evil\ncache_dir = %s\nuser_cache_dir = %s\n"
             "refresh_command = %s\n", evil_cache, evil_user, program);
    write_user_file("user.conf", text, 0644, conf, sizeof conf);
    char *saved = strdup(getenv("VMHOSTS_CONF"));
    setenv("VMHOSTS_CONF", conf, 1);
    held_ms += 2000;
    struct hostent host;
    char buffer[1024], ran[340];
    int err, herr;
    CHECK(seteuid(USER_UID) == 0, "a root daemon takes the user's effective id");
    enum nss_status status = _nss_vmhosts_gethostbyname2_r("gone.evil", AF_INET, &host, buffer,
                                                           sizeof buffer, &err, &herr);
    snprintf(ran, sizeof ran, "%s/ran", marks);
    CHECK(status != NSS_STATUS_SUCCESS && access(ran, F_OK) != 0,
          "... a miss there does not run the user's program with root as its real user");
    CHECK(seteuid(0) == 0, "... and takes root back");
    status = _nss_vmhosts_gethostbyname2_r("web.evil", AF_INET, &host, buffer, sizeof buffer,
                                           &err, &herr);
    CHECK(status != NSS_STATUS_SUCCESS,
          "back as root, at once: the user's settings do not choose root's cache");
    setenv("VMHOSTS_CONF", saved, 1);
    free(saved);
    held_ms += 2000;
}

/* A user namespace that maps no one, the process's own user included
 * (`unshare -U` by a user): there every unmapped owner shows as the
 * overflow user 65534, as the process itself does.  The user's cache
 * folder and its cache, here another user's (uid 4242), look like the
 * process's own, and root's settings and cache like them too: none of
 * them is trusted, and nothing answers.  The same files as the user's
 * own, outside such a namespace, answer (check_geteuid_asked_once). */
static void check_unmapped_user_namespace(void)
{
    char file[340];
    snprintf(file, sizeof file, "%s/hosts.cache", user_cache);
    if (chown(user_cache, 4242, 4242) != 0 || chmod(user_cache, 0755) != 0 ||
        chown(file, 4242, 4242) != 0)
        printf("# cannot hand the user cache to uid 4242\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setresuid(USER_UID, USER_UID, USER_UID) != 0)
            _exit(2);
        if (unshare(CLONE_NEWUSER) != 0)
            _exit(77);
        _exit(geteuid() != USER_UID ? 3 : strcmp(web_address(), "(not found)") == 0 ? 0 : 1);
    }
    int status = wait_status(pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        check_skip("a user namespace that maps no one", "cannot make a user namespace here");
    else
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "a user namespace that maps no one: another user's cache, shown as the "
              "process's own, does not answer");
    if (chown(user_cache, USER_UID, USER_UID) != 0 || chmod(user_cache, 0700) != 0 ||
        chown(file, USER_UID, USER_UID) != 0)
        printf("# cannot hand the user cache back to uid %d\n", USER_UID);
}

int main(void)
{
    if (geteuid() != 0) {
        printf("1..0 # SKIP seteuid needs root\n");
        return 77;
    }
    setup();
    held_ms = read_clock(CLOCK_MONOTONIC);
    check_unmapped_user_namespace();
    /* The first lookup as the user: the settings load for the user. */
    CHECK(seteuid(USER_UID) == 0, "seteuid to the user");
    CHECK_STR(web_address(), "172.17.0.2",
              "as the user, root still its real and saved user: root's cache, not the user's newer one");
    CHECK(seteuid(0) == 0, "back to root");
    /* At once: no settings reload or cache re-check would be due by time. */
    CHECK_STR(web_address(), "172.17.0.2", "back as root, at once: never the user's cache");
    CHECK(seteuid(USER_UID) == 0, "to the user again");
    CHECK_STR(web_address(), "172.17.0.2",
              "the user again, in root's millisecond: root's view, which the user trusts");
    held_ms++;
    CHECK_STR(web_address(), "172.17.0.2", "the user, a millisecond on: still root's cache");
    CHECK(seteuid(0) == 0, "root again");
    CHECK_STR(web_address(), "172.17.0.2", "root again, at once: root's cache");
    check_geteuid_asked_once();
    check_root_asked_per_millisecond();
    check_user_settings_in_root_daemon();
    nftw(top, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return check_done();
}
