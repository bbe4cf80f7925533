/* `vmhosts status`: the findings' format, the settings in force and where
 * each came from, and whether glibc can load the module. */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "status.h"

void vmh_say(struct vmh_status_report *report, enum vmh_level level, const char *format, ...)
{
    static const char *const labels[] = {"ok", "note", "warning", "PROBLEM"};
    va_list args;
    va_start(args, format);
    printf("  %s: ", labels[level]);
    vprintf(format, args);
    putchar('\n');
    va_end(args);
    report->problems += level == VMH_PROBLEM;
    report->warnings += level == VMH_WARNING;
}

void vmh_say_do(const char *text)
{
    printf("      do: %s\n", text);
}

static void print_value(const struct vmh_config *config, enum vmh_config_key key)
{
    if (key < VMH_CONF_CACHE_DIR) { /* a backend's: source, domains, ttl */
        unsigned backend = (unsigned)key / 3;
        if (key == VMH_CONF_SOURCE(backend))
            fputs(config->source[backend], stdout);
        else if (key == VMH_CONF_DOMAINS(backend))
            fputs(config->domains[backend], stdout);
        else
            printf("%ld", config->ttl_s[backend]);
        return;
    }
    switch (key) {
    case VMH_CONF_CACHE_DIR:           fputs(config->cache_dir, stdout); break;
    case VMH_CONF_USER_CACHE_DIR:
        fputs(config->user_cache_dir[0] ? config->user_cache_dir : "(automatic)", stdout);
        break;
    case VMH_CONF_TIMEOUT_MS:          printf("%ld", config->timeout_ms); break;
    case VMH_CONF_REFRESH_INTERVAL_MS: printf("%ld", config->refresh_interval_ms); break;
    case VMH_CONF_REFRESH_COMMAND:     fputs(config->refresh_command, stdout); break;
    case VMH_CONF_DNS_LISTEN:          fputs(config->dns_listen, stdout); break;
    case VMH_CONF_DOCKER_NETWORKS:
        fputs(config->docker_networks[0] ? config->docker_networks : "(none)", stdout);
        break;
    case VMH_CONF_LABEL_DOMAINS:
        fputs(config->label_domains[0] ? config->label_domains : "(none)", stdout);
        break;
    case VMH_CONF_KEY_COUNT:
    default:                           break;
    }
}

void vmh_status_settings(const struct vmh_config *config, const struct vmh_config_notes *notes)
{
    const char *env = getenv(VMH_CONFIG_ENV);
    bool from_env = env && env[0] && strcmp(env, config->path) == 0;
    printf("settings: %s", config->path);
    if (from_env)
        printf(" (named by %s)", VMH_CONFIG_ENV);
    struct stat st;
    if (!config->file_found && stat(config->path, &st) == 0)
        fputs(" (cannot be read: every setting is the default)", stdout); /* said on stderr why */
    else if (!config->file_found)
        fputs(" (no such file: every setting is the default)", stdout);
    else if (config->untrusted)
        printf(" (ignored, every setting is the default: %s)", vmh_untrusted_settings_text());
    putchar('\n');
    for (int key = 0; key < VMH_CONF_KEY_COUNT; key++) {
        printf("  %-20s %-12s ", vmh_config_key_name((enum vmh_config_key)key),
               notes->origin[key] == VMH_ORIGIN_FILE ? (from_env ? VMH_CONFIG_ENV : "file")
                                                     : "default");
        print_value(config, (enum vmh_config_key)key);
        putchar('\n');
    }
}

/* glibc loads libnss_vmhosts.so.2 by that name from its library path: so
 * does this, and says from where. */
void vmh_status_module(struct vmh_status_report *report)
{
    puts("module:");
    void *module = dlopen("libnss_vmhosts.so.2", RTLD_LAZY | RTLD_LOCAL);
    if (!module) {
        const char *error = dlerror();
        vmh_say(report, VMH_PROBLEM, "glibc cannot load libnss_vmhosts.so.2: %s",
                error ? error : "unknown error");
        vmh_say_do("sudo make install (it goes to /usr/lib/<multiarch>, where glibc looks), "
                   "then sudo ldconfig");
        return;
    }
    void *entry = dlsym(module, "_nss_vmhosts_gethostbyname4_r");
    Dl_info info;
    if (entry && dladdr(entry, &info) && info.dli_fname)
        vmh_say(report, VMH_OK, "libnss_vmhosts.so.2 loads from %s", info.dli_fname);
    else
        vmh_say(report, VMH_PROBLEM, "libnss_vmhosts.so.2 has no _nss_vmhosts_gethostbyname4_r: "
                                     "not this module");
    dlclose(module);
}
