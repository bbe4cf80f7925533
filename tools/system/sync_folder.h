/* The last step of replacing a system file by a rename (nsswitch.conf,
 * resolved's drop-ins): until the folder holding it is synced, a crash may
 * bring back the old name's old file, or the temporary one, though the
 * command said it was done. */
#ifndef VMHOSTS_SYNC_FOLDER_H
#define VMHOSTS_SYNC_FOLDER_H

/* Syncs the folder of `path`.  Best effort: the new file is already what
 * every reader sees, so a folder that cannot be synced (some file systems
 * refuse, EINVAL) must not turn a done edit into a reported failure. */
void vmh_sync_folder_of(const char *path);

#endif
