/* bench_lookup: what a host name lookup costs, measured from inside one
 * process the way programs pay for it.
 *
 *   bench_lookup [-m MODE] [-r ROUNDS] [-t MS | -n COUNT] [-e found|missing|any] NAME
 *       lookups in a loop; prints the median cost of one lookup over the
 *       rounds (each round's average), and the fastest and slowest round.
 *   bench_lookup -S [-r ROUNDS] [-n COUNT] [-x STATUS] -- PROGRAM ARGS...
 *       a fresh process each time: the median wall time of one run.
 *   bench_lookup -U [-T MS] NAME
 *       lookups one after another until NAME resolves: the time that took,
 *       and the wall clock (CLOCK_REALTIME) when it did.
 *   bench_lookup -B PROCESSES NAME
 *       PROCESSES children look NAME up at the same moment: the wall time.
 *   bench_lookup -P NAME
 *       the private and the anonymous memory this process gains by one
 *       lookup of NAME, after a lookup of a name that is not the module's
 *       has loaded it and its settings.
 *   bench_lookup -L [-r ROUNDS] [-t MS | -n COUNT] PATH
 *       lstat(PATH) in a loop: what one system call of the kind a lookup
 *       makes (glibc stats nsswitch.conf and resolv.conf) costs here.
 *   bench_lookup -F PATH
 *       what one page fault on a file mapped read-only costs here: PATH
 *       mapped, a byte read 1 MiB apart (each in a part of the file the
 *       kernel has not mapped yet), the faults counted by getrusage.
 *
 * -c cpu times by CPU time instead of the wall clock (see measure_ns).
 *
 * Output is one line of key=value pairs (times in nanoseconds or
 * milliseconds, as the key says) for run-bench to read.  Each timed lookup
 * is checked to give the expected answer first: timing the wrong path (a
 * miss where a hit was meant) is the classic benchmark bug. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define ROUNDS_MAX 1000

enum mode { MODE_GAI, MODE_GAI4, MODE_GHBN, MODE_GHBN2_6, MODE_LSTAT };
enum expect { EXPECT_ANY, EXPECT_FOUND, EXPECT_MISSING };

struct options {
    enum mode mode;
    enum expect expect;
    int rounds;
    long round_ms;       /* calibrate each round to last about this long */
    long count;          /* or a fixed number of lookups per round */
    long timeout_ms;
    int burst;
    int exit_status;     /* what a spawned program must exit with, or -1 */
    bool spawn, until_found, private_memory, fault_cost;
};

static int64_t now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* One lookup as a program makes it; true when it found an address. */
static bool lookup(const char *name, enum mode mode)
{
    if (mode == MODE_LSTAT) {
        struct stat st;
        return lstat(name, &st) == 0;
    }
    if (mode == MODE_GAI || mode == MODE_GAI4) {
        struct addrinfo hints = {.ai_family = mode == MODE_GAI ? AF_UNSPEC : AF_INET,
                                 .ai_socktype = SOCK_STREAM};
        struct addrinfo *result = NULL;
        int error = getaddrinfo(name, NULL, &hints, &result);
        if (error == 0)
            freeaddrinfo(result);
        return error == 0;
    }
    struct hostent host, *found = NULL;
    char buffer[4096];
    int h_error = 0;
    if (mode == MODE_GHBN)
        gethostbyname_r(name, &host, buffer, sizeof buffer, &found, &h_error);
    else
        gethostbyname2_r(name, AF_INET6, &host, buffer, sizeof buffer, &found, &h_error);
    return found != NULL;
}

static int compare_ns(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts the samples; the median of an even count is the mean of the two
 * middle ones. */
static int64_t median_of(int64_t *samples, int count)
{
    qsort(samples, (size_t)count, sizeof *samples, compare_ns);
    return count % 2 ? samples[count / 2] : (samples[count / 2 - 1] + samples[count / 2]) / 2;
}

/* -c cpu: lookups are timed by the CPU time this process spends (user and
 * system), fresh processes by the CPU time the child spent, instead of the
 * wall clock.  On a shared machine another program taking the CPU away
 * then costs nothing; the work of a lookup is still all counted, as long
 * as it does not wait for another process (libnss-docker waits for Docker:
 * time it by the wall clock). */
static bool cpu_clock;

static int64_t measure_ns(void)
{
    if (!cpu_clock)
        return now_ns();
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Every lookup's answer is counted: a flaky module (one that misses now
 * and then) shows as a found rate below 100 %. */
static long found_count, lookup_count;

static int64_t time_lookups(const char *name, enum mode mode, long count)
{
    long found = 0;
    int64_t start = measure_ns();
    for (long i = 0; i < count; i++)
        found += lookup(name, mode);
    int64_t spent = measure_ns() - start;
    found_count += found;
    lookup_count += count;
    return spent;
}

/* Lookups per round: doubled until a batch takes a tenth of a round, then
 * scaled up to a whole round. */
static long calibrate(const char *name, const struct options *options)
{
    if (options->count > 0)
        return options->count;
    int64_t target_ns = (int64_t)options->round_ms * 1000000;
    long count = 1;
    int64_t spent;
    while ((spent = time_lookups(name, options->mode, count)) < target_ns / 10 && count < (1L << 24))
        count *= 2;
    long scaled = (long)((double)count * (double)target_ns / (double)(spent > 0 ? spent : 1));
    return scaled > 0 ? scaled : 1;
}

static bool answer_expected(const char *name, const struct options *options)
{
    bool found = lookup(name, options->mode);
    if (options->expect == EXPECT_ANY || found == (options->expect == EXPECT_FOUND))
        return true;
    fprintf(stderr, "bench_lookup: %s was %s, expected %s\n", name,
            found ? "found" : "not found", found ? "not found" : "found");
    return false;
}

static int run_loop(const char *name, const struct options *options)
{
    int64_t per_lookup[ROUNDS_MAX];
    if (!answer_expected(name, options))
        return 1;
    long count = calibrate(name, options);
    found_count = lookup_count = 0;
    for (int round = 0; round < options->rounds; round++)
        per_lookup[round] = time_lookups(name, options->mode, count) / count;
    int64_t median = median_of(per_lookup, options->rounds);
    printf("median_ns=%lld min_ns=%lld max_ns=%lld lookups_per_round=%ld rounds=%d "
           "found_pct=%.1f\n",
           (long long)median, (long long)per_lookup[0],
           (long long)per_lookup[options->rounds - 1], count, options->rounds,
           100.0 * (double)found_count / (double)lookup_count);
    return 0;
}

/* The minor page faults of the last run spawn_once waited for. */
static long spawned_faults;

/* One run of the program: its wall time (or CPU time), or -1 when it did
 * not exit as expected. */
static int64_t spawn_once(char **argv, int exit_status)
{
    pid_t pid;
    int status;
    struct rusage usage;
    int64_t start = now_ns();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    int error = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        fprintf(stderr, "bench_lookup: cannot run %s: %s\n", argv[0], strerror(error));
        return -1;
    }
    while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR)
        ;
    int64_t spent = now_ns() - start;
    spawned_faults = usage.ru_minflt;
    if (cpu_clock)
        spent = ((int64_t)usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000000 +
                ((int64_t)usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1000;
    if (exit_status >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != exit_status)) {
        fprintf(stderr, "bench_lookup: %s exited with status %d, expected %d\n", argv[0],
                WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), exit_status);
        return -1;
    }
    return spent;
}

/* Each sample is one round's average run, as for lookups. */
static int run_spawn(char **argv, const struct options *options)
{
    int64_t per_run[ROUNDS_MAX], faults[ROUNDS_MAX];
    long count = options->count > 0 ? options->count : 20;
    if (spawn_once(argv, options->exit_status) < 0)
        return 1;
    for (int round = 0; round < options->rounds; round++) {
        int64_t total = 0, faulted = 0;
        for (long i = 0; i < count; i++) {
            int64_t spent = spawn_once(argv, options->exit_status);
            if (spent < 0)
                return 1;
            total += spent;
            faulted += spawned_faults;
        }
        per_run[round] = total / count;
        faults[round] = faulted / count;
    }
    int64_t median = median_of(per_run, options->rounds);
    printf("median_ns=%lld min_ns=%lld max_ns=%lld runs_per_round=%ld rounds=%d faults=%lld\n",
           (long long)median, (long long)per_run[0], (long long)per_run[options->rounds - 1],
           count, options->rounds, (long long)median_of(faults, options->rounds));
    return 0;
}

static int64_t realtime_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Lookups back to back, 0.2 ms apart, until one finds the name.  found_ms
 * counts from the first attempt; found_at_ns is the wall clock then, for a
 * caller that compares it with when Docker says the container started. */
static int run_until_found(const char *name, const struct options *options)
{
    int64_t start = now_ns(), deadline = start + (int64_t)options->timeout_ms * 1000000;
    long attempts = 0;
    while (now_ns() < deadline) {
        attempts++;
        if (lookup(name, options->mode)) {
            printf("found_ms=%.3f attempts=%ld found_at_ns=%lld\n",
                   (double)(now_ns() - start) / 1e6, attempts, (long long)realtime_ns());
            return 0;
        }
        nanosleep(&(struct timespec){.tv_nsec = 200000}, NULL);
    }
    printf("found_ms=timeout attempts=%ld\n", attempts);
    return 1;
}

/* The children block on a pipe that the parent closes once all of them
 * exist, so their lookups start together rather than a fork apart. */
static int run_burst(const char *name, const struct options *options)
{
    int gate[2];
    if (pipe(gate) != 0)
        return 1;
    for (int i = 0; i < options->burst; i++) {
        pid_t pid = fork();
        if (pid < 0)
            return 1;
        if (pid == 0) {
            char byte;
            close(gate[1]);
            while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
                ;
            _exit(lookup(name, options->mode) ? 0 : 1);
        }
    }
    close(gate[0]);
    int64_t start = now_ns();
    close(gate[1]);
    int found = 0, status;
    pid_t child;
    while ((child = wait(&status)) > 0 || errno == EINTR)
        if (child > 0)
            found += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    printf("wall_ms=%.3f processes=%d found=%d\n", (double)(now_ns() - start) / 1e6,
           options->burst, found);
    return 0;
}

static void usage(void)
{
    fputs("usage: bench_lookup [-c cpu|wall] [-m gai|gai4|ghbn|ghbn2_6] [-r ROUNDS] [-t MS|-n COUNT]\n"
          "                    [-e found|missing|any] NAME\n"
          "       bench_lookup -S [-c cpu|wall] [-r ROUNDS] [-n COUNT] [-x STATUS] -- PROGRAM ARGS...\n"
          "       bench_lookup -U [-T MS] NAME\n"
          "       bench_lookup -B PROCESSES NAME\n"
          "       bench_lookup -P NAME\n"
          "       bench_lookup -L [-r ROUNDS] [-t MS|-n COUNT] PATH\n"
          "       bench_lookup -F PATH\n",
          stderr);
    exit(2);
}

/* From /proc/self/smaps_rollup, in KiB: Private_Clean + Private_Dirty
 * (what smaps calls private: pages only this process maps, so a file's
 * pages too while no other process maps them) and Anonymous (memory that
 * exists only for this process: a copy of the cache read into it). */
static bool private_kib(long *private, long *anonymous)
{
    FILE *smaps = fopen("/proc/self/smaps_rollup", "re");
    char line[256];
    long kib;
    *private = *anonymous = 0;
    if (!smaps)
        return false;
    while (fgets(line, sizeof line, smaps))
        if (sscanf(line, "Private_Clean: %ld kB", &kib) == 1 ||
            sscanf(line, "Private_Dirty: %ld kB", &kib) == 1)
            *private += kib;
        else if (sscanf(line, "Anonymous: %ld kB", &kib) == 1)
            *anonymous += kib;
    fclose(smaps);
    return true;
}

static long minor_faults(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_minflt;
}

/* Each byte read lies 1 MiB past the last, beyond the part of the file the
 * kernel maps around a fault, so that each read is one fault. */
static int run_fault_cost(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (4L << 20)) {
        fprintf(stderr, "bench_lookup: %s: need a file of at least 4 MiB\n", path);
        return 1;
    }
    char chunk[65536]; /* the file into the page cache first: no disk read is timed */
    while (read(fd, chunk, sizeof chunk) > 0)
        ;
    unsigned char *data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (data == MAP_FAILED)
        return 1;
    volatile unsigned sum = 0;
    long before = minor_faults();
    int64_t start = now_ns();
    for (off_t at = 0; at < st.st_size; at += 1L << 20)
        sum += data[at];
    int64_t spent = now_ns() - start;
    long faults = minor_faults() - before;
    munmap(data, (size_t)st.st_size);
    printf("fault_ns=%lld faults=%ld\n", (long long)(faults > 0 ? spent / faults : 0), faults);
    return sum == 0xffffffffu; /* keeps the reads */
}

static int run_private(const char *name, const struct options *options)
{
    long private_before, anon_before, private_after, anon_after;
    lookup("bench-not-ours.invalid", options->mode);
    bool read_before = private_kib(&private_before, &anon_before);
    bool found = lookup(name, options->mode);
    if (!found || !read_before || !private_kib(&private_after, &anon_after)) {
        fprintf(stderr, "bench_lookup: %s not found, or no smaps_rollup\n", name);
        return 1;
    }
    printf("gained_kib=%ld gained_anon_kib=%ld\n", private_after - private_before,
           anon_after - anon_before);
    return 0;
}

static enum mode parse_mode(const char *text)
{
    static const char *const names[] = {"gai", "gai4", "ghbn", "ghbn2_6"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(text, names[i]) == 0)
            return (enum mode)i;
    usage();
    return MODE_GAI;
}

static void parse_options(int argc, char **argv, struct options *options)
{
    int option;
    *options = (struct options){.rounds = 9, .round_ms = 100, .timeout_ms = 5000,
                                .exit_status = -1};
    while ((option = getopt(argc, argv, "c:m:r:t:n:e:x:ST:UB:LPF")) != -1) {
        switch (option) {
        case 'c': cpu_clock = strcmp(optarg, "cpu") == 0; break;
        case 'L': options->mode = MODE_LSTAT; break;
        case 'P': options->private_memory = true; break;
        case 'F': options->fault_cost = true; break;
        case 'm': options->mode = parse_mode(optarg); break;
        case 'r': options->rounds = atoi(optarg); break;
        case 't': options->round_ms = atol(optarg); break;
        case 'n': options->count = atol(optarg); break;
        case 'e': options->expect = strcmp(optarg, "found") == 0     ? EXPECT_FOUND
                                    : strcmp(optarg, "missing") == 0 ? EXPECT_MISSING
                                                                     : EXPECT_ANY;
                  break;
        case 'x': options->exit_status = atoi(optarg); break;
        case 'S': options->spawn = true; break;
        case 'T': options->timeout_ms = atol(optarg); break;
        case 'U': options->until_found = true; break;
        case 'B': options->burst = atoi(optarg); break;
        default: usage();
        }
    }
    if (options->rounds < 1 || options->rounds > ROUNDS_MAX || options->round_ms < 1 ||
        optind >= argc)
        usage();
}

int main(int argc, char **argv)
{
    struct options options;
    parse_options(argc, argv, &options);
    if (options.spawn)
        return run_spawn(argv + optind, &options);
    if (options.until_found)
        return run_until_found(argv[optind], &options);
    if (options.burst > 0)
        return run_burst(argv[optind], &options);
    if (options.private_memory)
        return run_private(argv[optind], &options);
    if (options.fault_cost)
        return run_fault_cost(argv[optind]);
    return run_loop(argv[optind], &options);
}
