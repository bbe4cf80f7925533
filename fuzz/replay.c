/* Runs a fuzz target's function over its seeds and found crashes, as a
 * plain TAP test: built with the ordinary compiler (and under
 * --enable-sanitizers with ASan and UBSan), so that every input that ever
 * crashed a target stays a regression test even where clang's libFuzzer is
 * missing.  REPLAY_DIRS (set per program in fuzz/fuzz.mk) lists folders
 * relative to top_srcdir, separated by colons; each regular file in them is
 * one input. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../tests/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *input, size_t size);

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void replay_file(const char *path)
{
    size_t length = 0;
    char *data = check_read_file(path, &length);
    char what[1200];
    snprintf(what, sizeof what, "replay %s (%zu bytes): no crash", path, length);
    if (!data) {
        check_report(0, __FILE__, __LINE__, what);
        return;
    }
    /* An exact-size copy, so that ASan sees a read past the end. */
    uint8_t *exact = malloc(length ? length : 1);
    memcpy(exact, data, length);
    LLVMFuzzerTestOneInput(exact, length);
    free(exact);
    free(data);
    check_report(1, __FILE__, __LINE__, what);
}

static void replay_dir(const char *dir)
{
    struct dirent **entries;
    int count = scandir(dir, &entries, NULL, NULL);
    if (count < 0) {
        printf("# %s: no such folder\n", dir);
        return;
    }
    char **names = calloc((size_t)count + 1, sizeof *names);
    int files = 0;
    for (int i = 0; i < count; i++) {
        char path[1024];
        struct stat st;
        int length = snprintf(path, sizeof path, "%s/%s", dir, entries[i]->d_name);
        if (length > 0 && (size_t)length < sizeof path && entries[i]->d_name[0] != '.' &&
            stat(path, &st) == 0 && S_ISREG(st.st_mode))
            names[files++] = strdup(path);
        free(entries[i]);
    }
    free(entries);
    qsort(names, (size_t)files, sizeof *names, compare_names);
    for (int i = 0; i < files; i++) {
        replay_file(names[i]);
        free(names[i]);
    }
    free(names);
}

int main(void)
{
    const char *top = getenv("top_srcdir");
    char dirs[] = REPLAY_DIRS;
    char *save = NULL;
    if (!top)
        top = ".";
    for (char *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", top, dir);
        replay_dir(path);
    }
    /* The empty input and a lone byte, which no folder holds. */
    uint8_t byte = 0;
    LLVMFuzzerTestOneInput(&byte, 0);
    LLVMFuzzerTestOneInput(&byte, 1);
    CHECK(1, "replay: the empty input and a lone NUL: no crash");
    return check_done();
}
