#!/usr/bin/env bash
# `vmhosts list`, `lookup`, `status` and `enable` end to end, against a real
# Docker engine this test starts, with a private nsswitch.conf in a mount
# namespace.  Every expected address comes from `docker inspect`.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
. "$top_srcdir/tests/lib-commands.sh"

require_nss
docker_start
docker_image

write_conf ttl=60
set_hosts_line files vmhosts dns

web=$(docker_run vmh-web --hostname web-host) || bail_out "cannot start a container"
gone=$(docker_run vmh-gone) || bail_out "cannot start a container"
dk stop -t 1 vmh-gone >/dev/null || bail_out "cannot stop a container"
web_addresses=$(docker_addresses "$web")
[ -n "$web_addresses" ] || bail_out "vmh-web has no address"
diag "vmh-web $web at $web_addresses; vmh-gone $gone stopped"
web_csv=$(tr ' ' , <<<"$web_addresses")

# --- list ---------------------------------------------------------------------
run_vmhosts list
check_rc "list" 0
check_out "list: a header" '^NAME +ADDRESSES +SOURCE +CONTAINER/VM$'
check_out "list: the container's name, its addresses, docker, the container" \
    "^vmh-web\.docker +$web_csv +docker +vmh-web \(${web:0:12}\)$"
check_out "list: its short ID" "^${web:0:12}\.docker +$web_csv +docker +vmh-web"
check_out "list: its bare hostname" "^web-host +$web_csv +docker +vmh-web"
check_eq "list: a stopped container has no name" "" "$(grep -e vmh-gone -e "${gone:0:12}" <<<"$OUT")"
misaligned=$(awk 'NR == 1 { a = index($0, "ADDRESSES"); s = index($0, "SOURCE"); next }
    substr($0, a, length($2)) != $2 || substr($0, s, length($3)) != $3' <<<"$OUT")
check_eq "list: columns aligned under the header" "" "$misaligned"

run_vmhosts list --json
check_rc "list --json" 0
check_eq "list --json: vmh-web.docker's addresses" "$web_addresses" \
    "$(json_get '[a for n in d["names"] if n["name"] == "vmh-web.docker" for a in n["addresses"]]')"
check_eq "list --json: the container behind it" "vmh-web $web docker" \
    "$(json_get '" ".join(next((n["target"], n["id"], n["source"]) for n in d["names"] if n["name"] == "web-host"))')"
check_eq "list --json: every name" "${web:0:12}.docker vmh-web.docker web-host" \
    "$(json_get '[n["name"] for n in d["names"]]')"
check_eq "list --json: docker's state" ok "$(json_get 'd["backends"]["docker"]["status"]')"

run_vmhosts list --no-such-option
check_rc "list --no-such-option" 2
run_vmhosts list --help
check_rc "list --help" 0
check_out "list --help: usage" '^Usage: vmhosts list'

# Docker's socket gone: the names go, and stderr says why and what to do.
write_conf ttl=60 docker_socket="$T/missing.sock"
run_vmhosts refresh
check_rc "refresh, socket missing" 1
run_vmhosts list
check_rc "list, socket missing" 0
check_err "list, socket missing: says so" "docker: unavailable: .*$T/missing.sock does not exist"
check_err "list, socket missing: what to do" "start Docker"
check_eq "list, socket missing: no docker name" "" "$(grep docker <<<"$OUT")"
write_conf ttl=60

done_testing
