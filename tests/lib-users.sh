# Throwaway users for the tests that run something as a user (sourced after
# lib.sh): made on demand, and gone on exit with every process they ran.
# useradd gives each subordinate IDs in /etc/subuid and /etc/subgid; the
# user, its home, those lines and its runtime folder go on exit, after every
# process running as it (all started by this test) has been killed by pid.
rl_pids_of_uid() {
    local proc
    for proc in /proc/[0-9]*; do
        awk -v uid="$1" '$1 == "Uid:" && $2 == uid { found = 1 } END { exit !found }' \
            "$proc/status" 2>/dev/null && echo "${proc#/proc/}"
    done
}

rl_user_remove() {
    local name=$1 uid pids
    uid=$(id -u "$name" 2>/dev/null) || return 0
    pids=$(rl_pids_of_uid "$uid" | xargs)
    [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
    sleep 0.2
    userdel -r -f "$name" >/dev/null 2>&1
    sed -i "/^$name:/d" /etc/subuid /etc/subgid
    rm -rf "/run/user/$uid"
}

# rl_user_add NAME: the user, and a runtime folder of its own (mode 0700)
# as pam_systemd would make it.
rl_user_add() {
    useradd -m -s /bin/sh "$1" || bail_out "useradd $1 failed"
    at_exit "rl_user_remove $1"
    local uid
    uid=$(id -u "$1")
    mkdir -p -m 700 "/run/user/$uid"
    chown "$1:" "/run/user/$uid"
}

# as_user NAME COMMAND...: COMMAND as that user in a clean environment, in
# its home, with the test's settings; run in the background, $! is its pid.
as_user() {
    local name=$1 uid
    shift
    uid=$(id -u "$name")
    (cd "/home/$name" && exec setpriv --reuid="$uid" --regid="$(id -g "$name")" --init-groups \
        env -i HOME="/home/$name" USER="$name" LOGNAME="$name" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        XDG_RUNTIME_DIR="/run/user/$uid" VMHOSTS_CONF="$VMHOSTS_CONF" "$@")
}

# getent_as NAME DATABASE HOST: real getent as that user, through the
# module, in the test's mount namespace; prints the addresses, keeps the
# status (2: not found).
getent_as() {
    local name=$1 output status
    output=$(with_nss setpriv --reuid="$(id -u "$name")" --regid="$(id -g "$name")" \
        --init-groups env HOME="/home/$name" getent "$2" "$3")
    status=$?
    awk '{print $1}' <<<"$output" | sort -u | xargs
    return $status
}
