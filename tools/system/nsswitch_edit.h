/* Adding vmhosts to, and removing it from, the hosts: line of
 * /etc/nsswitch.conf.  The text functions are pure (no I/O) so the tests
 * can feed them every shape of line a distribution ships; the file function
 * rewrites the file atomically around them. */
#ifndef VMHOSTS_NSSWITCH_EDIT_H
#define VMHOSTS_NSSWITCH_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#define VMH_NSSWITCH_SERVICE "vmhosts"
#define VMH_NSSWITCH_BACKUP_SUFFIX ".vmhosts-backup"
/* The comment line enable writes above the hosts line it appends. */
#define VMH_NSSWITCH_APPENDED_MARK "# added by `vmhosts enable`: glibc's default, with vmhosts"

/* Puts vmhosts on the hosts: line, after files and myhostname and before the
 * first network service (dns, resolve, mdns*, nis, nisplus, wins) or the
 * first source whose [ACTION] returns on NOTFOUND (vmhosts after it would
 * never be asked), or at the end.  A text with no hosts: line gets glibc's
 * default with vmhosts, "hosts: vmhosts dns [!UNAVAIL=return] files", under
 * a comment line VMH_NSSWITCH_APPENDED_MARK.  A text whose last line lacks
 * its newline gets one: glibc never reads such a line.
 * Every other byte is kept.  *out is malloc'd (also when unchanged).
 * Returns 0, -1 when out of memory, or VMH_NSSWITCH_UNREAD (nothing made)
 * when glibc cannot read the line to its end (a second [ACTION] after one
 * source, a '[' never closed): an edit there would change what glibc
 * reads of the rest. */
int vmh_nsswitch_enable(const char *text, char **out, bool *changed);
#define VMH_NSSWITCH_UNREAD 1

/* Removes vmhosts and the [ACTION] brackets that follow it from the hosts:
 * line; the exact inverse of enable on a line that has a service.  A line
 * enable appended, still as enable wrote it under its mark, goes whole with
 * the mark.  Like enable, it edits the last hosts: line, the one glibc
 * uses.  Returns as
 * enable does (VMH_NSSWITCH_UNREAD only when vmhosts is on such a line). */
int vmh_nsswitch_disable(const char *text, char **out, bool *changed);

/* Finds the hosts: line (without its newline) that glibc uses: the last
 * one, since glibc (2.33 on) lets a later line replace an earlier one, of
 * those it reads ("hosts files" too, not a last line without a newline).
 * Returns false if none. */
bool vmh_nsswitch_hosts_line(const char *text, size_t *start, size_t *length);

/* Whether the text's last line is a hosts line without a newline, which
 * glibc never reads. */
bool vmh_nsswitch_hosts_line_unread(const char *text);

/* Reads `path` (following a symlink to the real file), applies enable or
 * disable, and when that changed it: writes path.vmhosts-backup (the old
 * text) and replaces the file by a rename of a temporary file with the same
 * mode and owner, synced before the rename and its folder after.  *hosts_line (malloc'd, may be NULL on error) is the
 * resulting hosts: line.  Returns 0, or -1 with a message in err. */
int vmh_nsswitch_edit_file(const char *path, bool enable, bool *changed, char **hosts_line,
                           char *err, size_t err_size);

#endif
