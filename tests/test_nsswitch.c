/* vmhosts enable / disable: the hosts: line edits on every shape of line
 * distributions ship, and the file rewrite (backup, mode, atomic rename). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "check.h"
#include "nsswitch_edit.h"

#define OTHER_LINES "# /etc/nsswitch.conf\n# hosts: files dns (a comment)\npasswd:         files\n"
#define TAIL_LINES "networks:       files\n\nnetgroup:       nis\n"

struct edit_case {
    const char *what;
    const char *before; /* the hosts: line as shipped */
    const char *after;  /* the same line once enabled */
};

static const struct edit_case cases[] = {
    {"Debian default", "hosts:          files dns", "hosts:          files vmhosts dns"},
    {"mdns4_minimal keeps its action", "hosts: files mdns4_minimal [NOTFOUND=return] dns",
     "hosts: files vmhosts mdns4_minimal [NOTFOUND=return] dns"},
    {"resolve keeps its action", "hosts: files resolve [!UNAVAIL=return] dns",
     "hosts: files vmhosts resolve [!UNAVAIL=return] dns"},
    {"after myhostname", "hosts: files myhostname dns", "hosts: files myhostname vmhosts dns"},
    {"after myhostname, before mdns", "hosts: files myhostname mdns4_minimal [NOTFOUND=return] dns myhostname",
     "hosts: files myhostname vmhosts mdns4_minimal [NOTFOUND=return] dns myhostname"},
    {"trailing comment", "hosts: files dns # keep me", "hosts: files vmhosts dns # keep me"},
    {"no network service: appended", "hosts: files myhostname", "hosts: files myhostname vmhosts"},
    {"appended before a comment", "hosts: files # local only", "hosts: files vmhosts # local only"},
    {"appended after an action", "hosts: files [SUCCESS=return]", "hosts: files [SUCCESS=return] vmhosts"},
    {"tabs", "hosts:\tfiles\tdns", "hosts:\tfiles\tvmhosts dns"},
    {"leading blanks, no space after colon", "  hosts:files dns", "  hosts:files vmhosts dns"},
    {"spaces inside an action", "hosts: files mdns [ NOTFOUND = return ] dns",
     "hosts: files vmhosts mdns [ NOTFOUND = return ] dns"},
    {"nis", "hosts: files nis dns", "hosts: files vmhosts nis dns"},
    {"action without a space", "hosts: files mdns4_minimal[NOTFOUND=return] dns",
     "hosts: files vmhosts mdns4_minimal[NOTFOUND=return] dns"},
    {"CRLF line", "hosts: files myhostname\r", "hosts: files myhostname vmhosts\r"},
    {"empty hosts line", "hosts:", "hosts: vmhosts"},
    {"before a source that returns on NOTFOUND, not after it",
     "hosts: files myhostname [NOTFOUND=return]", "hosts: files vmhosts myhostname [NOTFOUND=return]"},
    {"before files when files returns on NOTFOUND", "hosts: files [NOTFOUND=return] dns",
     "hosts: vmhosts files [NOTFOUND=return] dns"},
    {"!UNAVAIL=return returns on NOTFOUND too", "hosts: files [!UNAVAIL=return]",
     "hosts: vmhosts files [!UNAVAIL=return]"},
    {"two statuses in one action, the later one counts",
     "hosts: files resolve [!UNAVAIL=return NOTFOUND=continue] dns",
     "hosts: files vmhosts resolve [!UNAVAIL=return NOTFOUND=continue] dns"},
    {"two statuses in one action, returning", "hosts: files [SUCCESS=return NOTFOUND=return]",
     "hosts: vmhosts files [SUCCESS=return NOTFOUND=return]"},
    /* No comment inside a line for glibc: "#" is a source no module provides. */
    {"a '#' word before the network", "hosts: files # then dns", "hosts: files vmhosts # then dns"},
    /* glibc's nss_database.c skips every blank and ':' after the name. */
    {"a blank instead of the colon", "hosts files mdns4_minimal [NOTFOUND=return] dns",
     "hosts files vmhosts mdns4_minimal [NOTFOUND=return] dns"},
    {"blanks around the colon", "hosts : files dns", "hosts : files vmhosts dns"},
};

static char *whole_file(const char *hosts_line)
{
    size_t size = strlen(OTHER_LINES) + strlen(hosts_line) + strlen(TAIL_LINES) + 2;
    char *text = malloc(size);
    snprintf(text, size, "%s%s\n%s", OTHER_LINES, hosts_line, TAIL_LINES);
    return text;
}

static void check_case(const struct edit_case *c)
{
    char *before = whole_file(c->before), *after = whole_file(c->after);
    char *enabled = NULL, *again = NULL, *disabled = NULL, what[200];
    bool changed = false;

    snprintf(what, sizeof what, "%s: enable", c->what);
    CHECK_INT(vmh_nsswitch_enable(before, &enabled, &changed), 0, what);
    CHECK_STR(enabled, after, what);
    CHECK(changed, what);

    snprintf(what, sizeof what, "%s: second enable changes nothing", c->what);
    vmh_nsswitch_enable(enabled, &again, &changed);
    CHECK(!changed && strcmp(again, enabled) == 0, what);

    snprintf(what, sizeof what, "%s: disable gives the original back", c->what);
    CHECK_INT(vmh_nsswitch_disable(enabled, &disabled, &changed), 0, what);
    CHECK_STR(disabled, before, what);
    CHECK(changed, what);
    free(again);
    free(disabled);

    snprintf(what, sizeof what, "%s: disable when absent changes nothing", c->what);
    vmh_nsswitch_disable(before, &disabled, &changed);
    CHECK(!changed && strcmp(disabled, before) == 0, what);
    free(disabled);
    free(enabled);
    free(before);
    free(after);
}

#define APPENDED VMH_NSSWITCH_APPENDED_MARK "\nhosts: vmhosts dns [!UNAVAIL=return] files\n"

/* Without a hosts line glibc uses "dns [!UNAVAIL=return] files": enable
 * writes that out with vmhosts, disable takes it away again. */
static void check_no_hosts_line(void)
{
    static const char *const texts[][2] = {
        {"passwd: files\n# hosts: files dns\n", "passwd: files\n# hosts: files dns\n" APPENDED},
        {"passwd: files", "passwd: files\n" APPENDED},
        {"", APPENDED},
        {"hostsx: files dns\n", "hostsx: files dns\n" APPENDED},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char *out = NULL, *back = NULL, what[160];
        bool changed = false;
        snprintf(what, sizeof what, "no hosts line (%.*s): enable", (int)strcspn(texts[i][0], "\n"),
                 texts[i][0]);
        vmh_nsswitch_enable(texts[i][0], &out, &changed);
        CHECK_STR(out, texts[i][1], what);
        CHECK(changed, what);
        snprintf(what, sizeof what, "no hosts line (%.*s): disable takes both lines away",
                 (int)strcspn(texts[i][0], "\n"), texts[i][0]);
        CHECK_INT(vmh_nsswitch_disable(out, &back, &changed), 0, what);
        CHECK(changed, what);
        /* A last line without its newline got one; the rest is as it was. */
        if (strchr(texts[i][0], '\n') || !texts[i][0][0])
            CHECK_STR(back, texts[i][0], what);
        else
            CHECK(strncmp(back, texts[i][0], strlen(texts[i][0])) == 0 &&
                      strcmp(back + strlen(texts[i][0]), "\n") == 0, what);
        free(back);
        free(out);
    }
}

/* A hand-edited appended line is the administrator's now: only vmhosts goes. */
static void check_appended_line_edited(void)
{
    char *out = NULL;
    bool changed = false;
    vmh_nsswitch_disable(VMH_NSSWITCH_APPENDED_MARK "\nhosts: vmhosts dns [!UNAVAIL=return] files "
                                                  "myhostname\n",
                         &out, &changed);
    CHECK_STR(out, VMH_NSSWITCH_APPENDED_MARK "\nhosts: dns [!UNAVAIL=return] files myhostname\n",
              "an appended line edited since: only vmhosts is removed");
    free(out);
    vmh_nsswitch_disable("# something else\nhosts: vmhosts dns [!UNAVAIL=return] files\n", &out,
                         &changed);
    CHECK_STR(out, "# something else\nhosts: dns [!UNAVAIL=return] files\n",
              "the same line without the mark: only vmhosts is removed");
    free(out);
    vmh_nsswitch_disable("x" VMH_NSSWITCH_APPENDED_MARK "\nhosts: vmhosts dns [!UNAVAIL=return] "
                         "files\n",
                         &out, &changed);
    CHECK(strstr(out, "\nhosts: dns [!UNAVAIL=return] files\n") != NULL,
          "the mark only as the end of a line: not the mark");
    free(out);
}

/* glibc (2.33 on) keeps the last hosts: line it reads. */
static void check_only_last_hosts_line(void)
{
    const char *text = "hosts: files dns\nhosts: files dns\n";
    char *out = NULL;
    bool changed = false;
    vmh_nsswitch_enable(text, &out, &changed);
    CHECK_STR(out, "hosts: files dns\nhosts: files vmhosts dns\n",
              "two hosts lines: the last one, which glibc uses");
    free(out);
    vmh_nsswitch_disable("hosts: files vmhosts dns\nhosts: files vmhosts dns\n", &out, &changed);
    CHECK_STR(out, "hosts: files vmhosts dns\nhosts: files dns\n",
              "disable: from the last hosts line, the one glibc uses");
    free(out);
    /* "hostsfoo:" and "ghosts:" are other databases. */
    vmh_nsswitch_enable("hostsx: files dns\n", &out, &changed);
    CHECK_STR(out, "hostsx: files dns\n" APPENDED, "hostsx: is not hosts:");
    free(out);
}

/* glibc's nss_action_parse.c reads one [ACTION] group after a source and
 * stops at a second: no source after it is asked, and any edit there
 * would change what glibc reads of the rest. */
static void check_second_action_group(void)
{
    char *out = NULL;
    bool changed = true;
    const char *text = "hosts: files myhostname [SUCCESS=return] [NOTFOUND=return] dns\n";
    CHECK_INT(vmh_nsswitch_enable(text, &out, &changed), VMH_NSSWITCH_UNREAD,
              "enable refuses a line glibc stops reading at a second [ACTION]");
    CHECK(!out && !changed, "... and makes nothing");
    CHECK_INT(vmh_nsswitch_disable("hosts: files vmhosts [SUCCESS=return] [UNAVAIL=return] dns\n",
                                   &out, &changed),
              VMH_NSSWITCH_UNREAD, "disable refuses such a line with vmhosts on it");
    CHECK(!out && !changed, "... and makes nothing");
    CHECK_INT(vmh_nsswitch_disable(text, &out, &changed), 0,
              "disable of such a line without vmhosts: nothing to do");
    CHECK(out && !changed && strcmp(out, text) == 0, "... and nothing changes");
    free(out);
    vmh_nsswitch_enable("hosts: files vmhosts [SUCCESS=return] [UNAVAIL=return] dns\n", &out,
                        &changed);
    CHECK(out && !changed, "enable: vmhosts already read before the second group: enabled");
    free(out);
    out = NULL;
    CHECK_INT(vmh_nsswitch_enable("hosts: files mdns [NOTFOUND=return dns\n", &out, &changed),
              VMH_NSSWITCH_UNREAD, "enable refuses a line with a '[' never closed (glibc rejects it)");
    CHECK(!out, "... and makes nothing");
}

/* glibc never reads a last line without a newline (tested against glibc
 * 2.36: such a "passwd: nosuchmodule" leaves getent passwd working). */
static void check_unterminated_last_line(void)
{
    char *out = NULL;
    bool changed = false;
    size_t start, length;
    const char *text = "passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return] dns";
    CHECK(!vmh_nsswitch_hosts_line(text, &start, &length) && vmh_nsswitch_hosts_line_unread(text),
          "a last hosts line without a newline is not the one glibc uses");
    vmh_nsswitch_enable(text, &out, &changed);
    CHECK_STR(out, "passwd: files\nhosts: files vmhosts mdns4_minimal [NOTFOUND=return] dns\n",
              "enable: that line gets vmhosts and its newline, not a second hosts line");
    CHECK(changed, "enable: changed");
    free(out);
    vmh_nsswitch_enable("hosts: files vmhosts dns", &out, &changed);
    CHECK(changed && strcmp(out, "hosts: files vmhosts dns\n") == 0,
          "enable: vmhosts on a line glibc never reads gets the newline that makes it read");
    free(out);
    CHECK(!vmh_nsswitch_hosts_line_unread("hosts: files dns\n") &&
              !vmh_nsswitch_hosts_line_unread("hosts: files\npasswd: files"),
          "a terminated hosts line, or another unterminated line, is not that case");
}

static void check_disable_shapes(void)
{
    static const char *const pairs[][2] = {
        {"hosts: files vmhosts [NOTFOUND=return] dns\n", "hosts: files dns\n"},
        {"hosts: vmhosts files\n", "hosts: files\n"},
        {"hosts: files vmhosts[NOTFOUND=return] dns\n", "hosts: files dns\n"},
        {"hosts: files vmhosts\n", "hosts: files\n"},
        {"hosts: files vmhosts [UNAVAIL=continue] # c\n", "hosts: files # c\n"},
        {"hosts: files vmhosts dns vmhosts\n", "hosts: files dns\n"},
        {"hosts: files vmhostsx dns\n", "hosts: files vmhostsx dns\n"},
        {"# hosts: files vmhosts dns\n", "# hosts: files vmhosts dns\n"},
        /* glibc loads the vmhosts after "#": it goes. */
        {"hosts: files dns # vmhosts\n", "hosts: files dns #\n"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *out = NULL, what[160];
        bool changed;
        vmh_nsswitch_disable(pairs[i][0], &out, &changed);
        snprintf(what, sizeof what, "disable %.*s", (int)strcspn(pairs[i][0], "\n"), pairs[i][0]);
        CHECK_STR(out, pairs[i][1], what);
        CHECK(changed == (strcmp(pairs[i][0], pairs[i][1]) != 0), "changed says so");
        free(out);
    }
}

static void check_hosts_line_finder(void)
{
    size_t start, length;
    const char *text = "# hosts: no\n hosts: files dns # c\nx: y\n";
    CHECK(vmh_nsswitch_hosts_line(text, &start, &length), "hosts line found");
    CHECK_INT(start, 12, "hosts line start");
    CHECK_INT(length, strlen(" hosts: files dns # c"), "hosts line length");
    CHECK(!vmh_nsswitch_hosts_line("# hosts: a\n", &start, &length), "a comment is no hosts line");
    CHECK(vmh_nsswitch_hosts_line("hosts: a\nhosts: b\n", &start, &length) && start == 9,
          "two hosts lines: the last one is found");
    CHECK(vmh_nsswitch_hosts_line("hosts files\n", &start, &length) && length == 11,
          "a blank instead of the colon is a hosts line, as glibc reads it");
}

/* What the edit syncs, seen by this fsync, which takes libc's place for
 * the code linked into this program: the new file before its rename, and
 * the folder after it (without that fsync a crash can lose the rename). */
static struct {
    const char *path, *new_text;
    ino_t folder;
    int file_before_rename, folder_after_rename;
} synced;

int fsync(int fd)
{
    struct stat st, now;
    if (synced.path && fstat(fd, &st) == 0) {
        char *text = check_read_file(synced.path, NULL), got[256];
        bool renamed = text && strcmp(text, synced.new_text) == 0;
        ssize_t length = pread(fd, got, sizeof got - 1, 0);
        if (S_ISDIR(st.st_mode) && st.st_ino == synced.folder && renamed)
            synced.folder_after_rename++;
        if (S_ISREG(st.st_mode) && length >= 0 && !renamed && stat(synced.path, &now) == 0 &&
            now.st_ino != st.st_ino && strncmp(got, synced.new_text, (size_t)length) == 0 &&
            (size_t)length == strlen(synced.new_text))
            synced.file_before_rename++;
        free(text);
    }
    return (int)syscall(SYS_fsync, fd);
}

static bool write_text(const char *path, const char *text, mode_t mode)
{
    FILE *file = fopen(path, "w");
    if (!file)
        return false;
    fputs(text, file);
    fclose(file);
    return chmod(path, mode) == 0;
}

static void check_file(const char *dir)
{
    char path[512], backup[600], err[256], *line = NULL, *text;
    struct stat before, after;
    bool changed = false;
    snprintf(path, sizeof path, "%s/nsswitch.conf", dir);
    snprintf(backup, sizeof backup, "%s%s", path, VMH_NSSWITCH_BACKUP_SUFFIX);
    CHECK(write_text(path, "passwd: files\nhosts:          files dns\n", 0640), "temp file");
    stat(path, &before);

    struct stat folder;
    stat(dir, &folder);
    synced.path = path;
    synced.new_text = "passwd: files\nhosts:          files vmhosts dns\n";
    synced.folder = folder.st_ino;
    CHECK_INT(vmh_nsswitch_edit_file(path, true, &changed, &line, err, sizeof err), 0, "file: enable");
    synced.path = NULL;
    CHECK(changed, "file: changed");
    CHECK_INT(synced.file_before_rename, 1, "file: the new file synced before its rename");
    CHECK_INT(synced.folder_after_rename, 1, "file: its folder synced after the rename");
    CHECK_STR(line, "hosts:          files vmhosts dns", "file: the new hosts line");
    free(line);
    text = check_read_file(path, NULL);
    CHECK_STR(text, "passwd: files\nhosts:          files vmhosts dns\n", "file: new text");
    free(text);
    text = check_read_file(backup, NULL);
    CHECK_STR(text, "passwd: files\nhosts:          files dns\n", "file: backup holds the old text");
    free(text);
    stat(path, &after);
    CHECK_INT(after.st_mode & 07777, 0640, "file: mode kept");
    CHECK_INT(after.st_uid, before.st_uid, "file: owner kept");
    CHECK(after.st_ino != before.st_ino, "file: replaced by a rename (new inode)");

    CHECK_INT(vmh_nsswitch_edit_file(path, true, &changed, &line, err, sizeof err), 0,
              "file: enable again");
    CHECK(!changed, "file: second enable changes nothing");
    free(line);
    stat(path, &before);
    CHECK_INT(before.st_ino, after.st_ino, "file: untouched when unchanged");

    CHECK_INT(vmh_nsswitch_edit_file(path, false, &changed, &line, err, sizeof err), 0,
              "file: disable");
    CHECK(changed, "file: disable changed it");
    CHECK_STR(line, "hosts:          files dns", "file: hosts line after disable");
    free(line);
    text = check_read_file(path, NULL);
    CHECK_STR(text, "passwd: files\nhosts:          files dns\n", "file: disable restores the text");
    free(text);
}

static void check_file_symlink_and_errors(const char *dir)
{
    char path[512], link_path[512], missing[512], err[256], *line = NULL;
    struct stat st;
    bool changed;
    snprintf(path, sizeof path, "%s/real.conf", dir);
    snprintf(link_path, sizeof link_path, "%s/link.conf", dir);
    snprintf(missing, sizeof missing, "%s/missing.conf", dir);
    write_text(path, "hosts: files dns\n", 0644);
    CHECK(symlink("real.conf", link_path) == 0, "symlink made");
    CHECK_INT(vmh_nsswitch_edit_file(link_path, true, &changed, &line, err, sizeof err), 0,
              "symlink: enable");
    free(line);
    CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode), "symlink: the link stays a link");
    char *text = check_read_file(path, NULL);
    CHECK_STR(text, "hosts: files vmhosts dns\n", "symlink: its target is edited");
    free(text);

    CHECK_INT(vmh_nsswitch_edit_file(missing, true, &changed, &line, err, sizeof err), -1,
              "missing file: error");
    CHECK(strstr(err, "cannot read") && strstr(err, missing), "missing file: the message says so");
    CHECK(line == NULL, "missing file: no hosts line");

    if (geteuid() != 0) {
        chmod(dir, 0555);
        CHECK_INT(vmh_nsswitch_edit_file(path, false, &changed, &line, err, sizeof err), -1,
                  "read-only folder: error");
        CHECK(strstr(err, "cannot write") != NULL, "read-only folder: says it cannot write");
        chmod(dir, 0755);
    }
}

int main(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&cases[i]);
    check_no_hosts_line();
    check_appended_line_edited();
    check_only_last_hosts_line();
    check_unterminated_last_line();
    check_second_action_group();
    check_disable_shapes();
    check_hosts_line_finder();

    char dir[] = "/tmp/test_nsswitch.XXXXXX";
    if (!mkdtemp(dir))
        return check_skip_all("cannot make a temporary folder");
    check_file(dir);
    check_file_symlink_and_errors(dir);
    check_remove_tree(dir);
    return check_done();
}
