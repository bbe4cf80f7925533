/* A minimal TAP producer for the C unit tests: automake's tap-driver counts
 * every check, so the suite's totals are checks, not files. */
#ifndef VMHOSTS_CHECK_H
#define VMHOSTS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int check_number;
static int check_failed;

static inline void check_report(int passed, const char *file, int line, const char *what)
{
    check_number++;
    if (passed) {
        printf("ok %d - %s\n", check_number, what);
    } else {
        check_failed++;
        printf("not ok %d - %s (%s:%d)\n", check_number, what, file, line);
    }
    fflush(stdout);
}

#define CHECK(cond, what) check_report(!!(cond), __FILE__, __LINE__, (what))

#define CHECK_INT(actual, expected, what)                                                    \
    do {                                                                                     \
        long long check_a_ = (long long)(actual), check_e_ = (long long)(expected);          \
        if (check_a_ != check_e_)                                                            \
            printf("# %s: got %lld, expected %lld\n", (what), check_a_, check_e_);           \
        check_report(check_a_ == check_e_, __FILE__, __LINE__, (what));                      \
    } while (0)

#define CHECK_STR(actual, expected, what)                                                    \
    do {                                                                                     \
        const char *check_a_ = (actual), *check_e_ = (expected);                             \
        int check_ok_ = check_a_ && check_e_ && strcmp(check_a_, check_e_) == 0;             \
        if (!check_ok_)                                                                      \
            printf("# %s: got \"%s\", expected \"%s\"\n", (what), check_a_ ? check_a_ : "(null)", \
                   check_e_ ? check_e_ : "(null)");                                          \
        check_report(check_ok_, __FILE__, __LINE__, (what));                                 \
    } while (0)

/* One check that cannot run in this build or on this machine. */
static inline void check_skip(const char *what, const char *reason)
{
    check_number++;
    printf("ok %d - %s # SKIP %s\n", check_number, what, reason);
    fflush(stdout);
}

/* Ends the test: the plan line, and the exit status the driver reads. */
static inline int check_done(void)
{
    printf("1..%d\n", check_number);
    return check_failed ? 1 : 0;
}

/* The whole file cannot run here (no fixtures, not root, ...). */
static inline int check_skip_all(const char *reason)
{
    printf("1..0 # SKIP %s\n", reason);
    return 0;
}

/* Removes a scratch folder and everything a test left in it. */
static inline void check_remove_tree(const char *path)
{
    char command[4200];
    int length = snprintf(command, sizeof command, "rm -rf '%s'", path);
    if (length < 0 || (size_t)length >= sizeof command || strchr(path, '\'') ||
        system(command) != 0)
        printf("# cannot remove %s\n", path);
}

/* Reads a whole file into a NUL-terminated malloc'd buffer, or NULL. */
static inline char *check_read_file(const char *path, size_t *length)
{
    FILE *file = fopen(path, "rb");
    if (!file)
        return NULL;
    size_t capacity = 4096, used = 0;
    char *data = malloc(capacity);
    size_t got;
    while (data && (got = fread(data + used, 1, capacity - used - 1, file)) > 0) {
        used += got;
        if (capacity - used < 2) {
            char *bigger = realloc(data, capacity * 2);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            capacity *= 2;
        }
    }
    fclose(file);
    if (data) {
        data[used] = '\0';
        if (length)
            *length = used;
    }
    return data;
}

/* Writes a shell script of one command line, executable, at `path`. */
static inline void check_write_script(const char *path, const char *line)
{
    FILE *file = fopen(path, "w");
    if (!file) {
        printf("# cannot write %s\n", path);
        return;
    }
    fprintf(file, "#!/bin/sh\n%s\n", line);
    fclose(file);
    chmod(path, 0755);
}

/* The path of a fixture file, from $FIXTURES (set by the test harness). */
static inline const char *check_fixture(const char *relative)
{
    static char path[1024];
    const char *dir = getenv("FIXTURES");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/fixtures", relative);
    return path;
}

#endif
