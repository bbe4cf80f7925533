#!/usr/bin/env bash
# The names people use, end to end against a real Docker engine (and Podman
# beside it): Compose services, IPv6, containers on several networks, network
# modes, reverse lookups and canonical names, through real getent and
# Python's resolver and the freshly built module.  Every expected address
# comes from `docker inspect` (or `podman inspect`).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/lib-names.sh"

require_nss
docker_start
docker_image
write_conf ttl=60 timeout_ms=3000

# inspect CONTAINER FORMAT: docker inspect -f, one word per value, as given.
inspect() { dk inspect -f "$2" "$1" | xargs; }
v4_of() { inspect "$1" '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}'; }
v6_of() { inspect "$1" '{{range .NetworkSettings.Networks}}{{.GlobalIPv6Address}} {{end}}'; }
sorted() { xargs -n1 <<<"$*" | sort -u | xargs; }

# --- a Compose project with IPv6 ----------------------------------------------
dk network create --ipv6 --subnet fd00:db8:1::/64 shop_default >/dev/null ||
    bail_out "docker network create --ipv6 failed"
compose=(--network shop_default --label com.docker.compose.project=shop)
web1=$(docker_run shop-web-1 "${compose[@]}" --label com.docker.compose.service=web) &&
    web2=$(docker_run shop-web-2 "${compose[@]}" --label com.docker.compose.service=web) ||
    bail_out "cannot start the Compose replicas"
web1_v4=$(v4_of "$web1") web1_v6=$(v6_of "$web1")
web2_v4=$(v4_of "$web2") web2_v6=$(v6_of "$web2")
diag "shop-web-1 at $web1_v4 $web1_v6" "shop-web-2 at $web2_v4 $web2_v6"
[ -n "$web1_v6" ] && [ -n "$web2_v6" ] ||
    bail_out "the replicas have no IPv6 address: $(dk inspect -f '{{json .NetworkSettings}}' "$web1")"
web_all=$(sorted "$web1_v4 $web1_v6 $web2_v4 $web2_v6")

check_eq "getent ahosts web.shop.docker: both replicas, IPv4 and IPv6" "$web_all" \
    "$(getent_ahosts web.shop.docker)"
check_eq "getaddrinfo web.shop.docker: both replicas, IPv4 and IPv6" "$web_all" \
    "$(python_getaddrinfo web.shop.docker)"
check_eq "getent ahostsv6 web.shop.docker: the replicas' IPv6 addresses" \
    "$(sorted "$web1_v6 $web2_v6")" "$(getent_ahosts web.shop.docker ahostsv6)"
check_eq "getaddrinfo AF_INET web.shop.docker: the replicas' IPv4 addresses" \
    "$(sorted "$web1_v4 $web2_v4")" "$(python_getaddrinfo web.shop.docker AF_INET)"
check_eq "getent ahosts shop-web-1.docker: one replica by its container name" \
    "$(sorted "$web1_v4 $web1_v6")" "$(getent_ahosts shop-web-1.docker)"
check_eq "getaddrinfo AF_INET6 shop-web-2.docker: its IPv6 address" "$web2_v6" \
    "$(python_getaddrinfo shop-web-2.docker AF_INET6)"
check_eq "getent hosts web.shop.docker: canonical name is the service's" \
    web.shop.docker "$(with_nss getent hosts web.shop.docker | awk '{print $2}' | sort -u)"
check_eq "AI_CANONNAME of shop-web-1.docker" shop-web-1.docker \
    "$(python_resolver canonname shop-web-1.docker)"
check_eq "AI_CANONNAME of WEB.SHOP.DOCKER (folded)" web.shop.docker \
    "$(python_resolver canonname WEB.SHOP.DOCKER)"
check_eq "AI_CANONNAME of a 12-character ID prefix: the container's name" shop-web-1.docker \
    "$(python_resolver canonname "${web1:0:12}.docker")"
check_eq "gethostbyname_ex ID prefix: canonical name; aliases the asked name and the hostname" \
    "shop-web-1.docker|${web1:0:12}.docker ${web1:0:12}|$web1_v4" \
    "$(python_resolver byname4 "${web1:0:12}.docker")"
check_eq "gethostbyname_ex shop-web-1.docker: its hostname (the short ID) as the alias" \
    "shop-web-1.docker|${web1:0:12}|$web1_v4" \
    "$(python_resolver byname4 shop-web-1.docker)"

# One replica stopped: the service answers the one still running.
dk stop shop-web-2 >/dev/null
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "web.shop.docker with shop-web-2 stopped: only shop-web-1" \
    "$(sorted "$web1_v4 $web1_v6")" "$(getent_ahosts web.shop.docker)"
dk start shop-web-2 >/dev/null
web2_v4=$(v4_of "$web2") web2_v6=$(v6_of "$web2")
"$VMHOSTS" refresh >/dev/null 2>&1

# --- IPv4 only: NO_DATA for AF_INET6, not an error -----------------------------
plain=$(docker_run vmh-plain) || bail_out "cannot start a container"
plain_v4=$(v4_of "$plain")
check_eq "vmh-plain has no IPv6 address (default bridge)" "" "$(v6_of "$plain")"
check_eq "getaddrinfo AF_INET6 vmh-plain.docker: EAI_NODATA, the name exists" EAI_NODATA \
    "$(python_resolver family6 vmh-plain.docker)"
check_eq "getaddrinfo AF_INET6 nothing.docker: EAI_NONAME, for contrast" EAI_NONAME \
    "$(python_resolver family6 nothing.docker)"
check_eq "getent ahostsv6 vmh-plain.docker: its IPv4 mapped (AI_V4MAPPED)" "::ffff:$plain_v4" \
    "$(getent_ahosts vmh-plain.docker ahostsv6)"
check_eq "getent hosts vmh-plain.docker: no IPv6, so its IPv4" "$plain_v4" \
    "$(getent_hosts vmh-plain.docker)"

# --- clashes: container names before Compose services -------------------------
# A container called `cart.shop` and a Compose service cart of project shop
# both claim cart.shop.docker: the container name wins (Docker's own names
# first, Compose after), and the service's replicas are not mixed in.
cart_service=$(docker_run shop-cart-1 "${compose[@]}" --label com.docker.compose.service=cart) &&
    cart_named=$(docker_run cart.shop) || bail_out "cannot start the clashing containers"
check_eq "cart.shop.docker: the container named cart.shop, not service cart" \
    "$(v4_of "$cart_named")" "$(getent_ahosts cart.shop.docker)"
check_eq "AI_CANONNAME cart.shop.docker: the container's" cart.shop.docker \
    "$(python_resolver canonname cart.shop.docker)"
# The name stays the container's while it is stopped, as Docker keeps it
# taken: the answer does not flip to another set of addresses.
dk stop cart.shop >/dev/null
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "cart.shop.docker with the container cart.shop stopped: nothing" "exit 2: ''" \
    "$(found=$(getent_ahosts cart.shop.docker); echo "exit $?: '$found'")"
# A container named like the service or the project does not hide it.
web_named=$(docker_run web) && shop_named=$(docker_run shop) ||
    bail_out "cannot start the containers named web and shop"
check_eq "web.docker: the container named web" "$(v4_of "$web_named")" "$(getent_ahosts web.docker)"
check_eq "shop.docker: the container named shop" "$(v4_of "$shop_named")" "$(getent_ahosts shop.docker)"
check_eq "web.shop.docker: still the service's replicas" "$(sorted "$web1_v4 $web1_v6 $web2_v4 $web2_v6")" \
    "$(getent_ahosts web.shop.docker)"

# --- several networks: every address, bridge first, then by network name -----
dk network create --ipv6 --subnet fd00:db8:2::/64 zz-net >/dev/null &&
    dk network create aa-net >/dev/null || bail_out "cannot create the networks"
multi=$(docker_run vmh-multi --network zz-net) &&
    dk network connect aa-net vmh-multi && dk network connect bridge vmh-multi ||
    bail_out "cannot put a container on three networks"
net_v4() { inspect vmh-multi "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}"; }
multi_v4="$(net_v4 bridge) $(net_v4 aa-net) $(net_v4 zz-net)"
multi_v6=$(inspect vmh-multi '{{(index .NetworkSettings.Networks "zz-net").GlobalIPv6Address}}')
diag "vmh-multi: $multi_v4 $multi_v6"
check_eq "gethostbyname_ex vmh-multi.docker: IPv4 in order bridge, aa-net, zz-net" \
    "vmh-multi.docker|${multi:0:12}|$multi_v4" "$(python_resolver byname4 vmh-multi.docker)"
check_eq "getent ahosts vmh-multi.docker: all four addresses" "$(sorted "$multi_v4 $multi_v6")" \
    "$(getent_ahosts vmh-multi.docker)"
check_eq "getent hosts vmh-multi.docker (AF_INET6): zz-net's IPv6" \
    "$multi_v6 vmh-multi.docker ${multi:0:12}" "$(getent_line hosts vmh-multi.docker)"

# --- <name>.<network>.docker: one network's addresses -------------------------
# By name, by ID prefix and by a network alias, each under its own network
# only; and the names that meant something before keep their meaning.
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "vmh-multi.aa-net.docker: aa-net's address only" "$(net_v4 aa-net)" \
    "$(getent_ahosts vmh-multi.aa-net.docker)"
check_eq "vmh-multi.zz-net.docker: zz-net's IPv4 and IPv6 only" \
    "$(sorted "$(net_v4 zz-net) $multi_v6")" "$(getent_ahosts vmh-multi.zz-net.docker)"
check_eq "vmh-multi.bridge.docker: the default bridge's address only" "$(net_v4 bridge)" \
    "$(getent_ahosts vmh-multi.bridge.docker)"
check_eq "<id-prefix>.zz-net.docker: the same container on zz-net" \
    "$(sorted "$(net_v4 zz-net) $multi_v6")" "$(getent_ahosts "${multi:0:12}.zz-net.docker")"
check_eq "AI_CANONNAME vmh-multi.aa-net.docker: the container's own name" vmh-multi.docker \
    "$(python_resolver canonname vmh-multi.aa-net.docker)"
check_eq "vmh-multi.no-such-net.docker: nothing (getent exits 2)" "exit 2: ''" \
    "$(found=$(getent_ahosts vmh-multi.no-such-net.docker); echo "exit $?: '$found'")"
aliased=$(docker_run vmh-aliased --network aa-net --network-alias db-alias) ||
    bail_out "cannot start a container with a network alias"
aliased_v4=$(v4_of "$aliased")
check_eq "--network-alias db-alias: db-alias.aa-net.docker" "$aliased_v4" \
    "$(getent_ahosts db-alias.aa-net.docker)"
check_eq "db-alias is no name on zz-net (getent exits 2)" "exit 2: ''" \
    "$(found=$(getent_ahosts db-alias.zz-net.docker); echo "exit $?: '$found'")"
dk network connect --alias late-alias zz-net vmh-aliased ||
    bail_out "cannot connect vmh-aliased to zz-net"
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "network connect --alias late-alias: late-alias.zz-net.docker (inspected again)" \
    "$(sorted "$(inspect vmh-aliased '{{with index .NetworkSettings.Networks "zz-net"}}{{.IPAddress}} {{.GlobalIPv6Address}}{{end}}')")" \
    "$(getent_ahosts late-alias.zz-net.docker)"
# Left and joined again between two refreshes, with another alias: the
# same networks, by a new attachment (EndpointID), so inspected again.
dk network disconnect zz-net vmh-aliased && dk network connect --alias later-alias zz-net vmh-aliased ||
    bail_out "cannot connect vmh-aliased to zz-net again"
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "connected again with --alias later-alias: later-alias.zz-net.docker" \
    "$(sorted "$(inspect vmh-aliased '{{with index .NetworkSettings.Networks "zz-net"}}{{.IPAddress}} {{.GlobalIPv6Address}}{{end}}')")" \
    "$(getent_ahosts later-alias.zz-net.docker)"
check_eq "... and late-alias, which it no longer has, is gone (getent exits 2)" "exit 2: ''" \
    "$(found=$(getent_ahosts late-alias.zz-net.docker); echo "exit $?: '$found'")"
# A network called shop: web.shop.docker stays Compose's service, as
# cart.shop.docker above stays the container called cart.shop.
dk network create shop >/dev/null && dk network connect shop web ||
    bail_out "cannot put the container web on a network called shop"
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "web.shop.docker with container web on network shop: still Compose's" \
    "$(sorted "$web1_v4 $web1_v6 $web2_v4 $web2_v6")" "$(getent_ahosts web.shop.docker)"
check_eq "shop-web-1.shop_default.docker: a replica by name on its network" \
    "$(sorted "$web1_v4 $web1_v6")" "$(getent_ahosts shop-web-1.shop_default.docker)"
dk network disconnect shop web && dk network rm shop >/dev/null ||
    bail_out "cannot remove the network shop"

# --- which network's addresses come first ---------------------------------------
# getaddrinfo's order (getent ahosts) for the container's own name: the
# cache's (bridge, then by name) unless docker_networks or the container's
# vmhosts.network label says otherwise.  Read by the module: no refresh.
first_v4() { with_nss getent ahostsv4 "$1" | awk 'NR == 1 {print $1}'; }
v4_order() { with_nss getent ahosts "$1" | awk '$1 !~ /:/ && !seen[$1]++ {print $1}' | xargs; }
check_eq "getent ahosts vmh-multi.docker: bridge first by default" \
    "$(net_v4 bridge) $(net_v4 aa-net) $(net_v4 zz-net)" "$(v4_order vmh-multi.docker)"
write_conf ttl=60 timeout_ms=3000 docker_networks="zz-net aa-net"
check_eq "docker_networks = zz-net aa-net: getent ahosts in that order, then bridge" \
    "$(net_v4 zz-net) $(net_v4 aa-net) $(net_v4 bridge)" "$(v4_order vmh-multi.docker)"
check_eq "docker_networks = zz-net aa-net: gethostbyname_ex in that order" \
    "vmh-multi.docker|${multi:0:12}|$(net_v4 zz-net) $(net_v4 aa-net) $(net_v4 bridge)" \
    "$(python_resolver byname4 vmh-multi.docker)"
check_eq "docker_networks: getent ahostsv6 vmh-multi.docker still answers zz-net's IPv6" \
    "$multi_v6" "$(getent_ahosts vmh-multi.docker ahostsv6)"
labelled=$(docker_run vmh-labelled --network aa-net --label vmhosts.network=zz-net) &&
    dk network connect zz-net vmh-labelled || bail_out "cannot start a labelled container"
lab_v4() { inspect vmh-labelled "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}"; }
write_conf ttl=60 timeout_ms=3000 docker_networks=aa-net
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "label vmhosts.network=zz-net beats docker_networks = aa-net" \
    "$(lab_v4 zz-net) $(lab_v4 aa-net)" "$(v4_order vmh-labelled.docker)"
check_eq "docker_networks = aa-net still orders the unlabelled vmh-multi" \
    "$(net_v4 aa-net)" "$(first_v4 vmh-multi.docker)"
check_eq "docker_networks = aa-net: vmhosts list gives vmh-multi's addresses in that order" \
    "$(net_v4 aa-net)" "$("$VMHOSTS" list | awk '$1 == "vmh-multi.docker" {split($2, a, ","); print a[1]}')"
write_conf ttl=60 timeout_ms=3000

# --- names a label chose (vmhosts.names) ------------------------------------------
# Under .docker always; under another domain only once label_domains lists
# it; never a name a container has of its own; neither of two claimants;
# and a stopped container's names go with it.
gone() { found=$(getent_ahosts "$1"); echo "exit $?: '$found'"; }
chooser=$(docker_run vmh-chooser --label vmhosts.names=API.shop.docker,api.shop.test.,vmh-plain.docker,both.docker,github.com) &&
    rival=$(docker_run vmh-rival --label vmhosts.names=both.docker) ||
    bail_out "cannot start the containers with vmhosts.names"
chooser_v4=$(v4_of "$chooser")
check_eq "label name api.shop.docker resolves to its container" "$chooser_v4" \
    "$(getent_ahosts api.shop.docker)"
check_eq "label name api.shop.test: not ours while label_domains is empty (lookup exits 3)" 3 \
    "$("$VMHOSTS" lookup api.shop.test >/dev/null 2>&1; echo $?)"
check_eq "label name github.com: not ours (lookup exits 3)" 3 \
    "$("$VMHOSTS" lookup github.com >/dev/null 2>&1; echo $?)"
write_conf ttl=60 timeout_ms=3000 label_domains=test
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "label_domains = test: api.shop.test resolves to its container" "$chooser_v4" \
    "$(getent_ahosts api.shop.test)"
check_eq "label_domains = test: github.com is still not ours (lookup exits 3)" 3 \
    "$("$VMHOSTS" lookup github.com >/dev/null 2>&1; echo $?)"
check_eq "label_domains = test: a .test name no label chose is not ours (lookup exits 3)" 3 \
    "$("$VMHOSTS" lookup nobody.test >/dev/null 2>&1; echo $?)"
check_eq "a label claiming vmh-plain.docker: vmh-plain answers, not the label" "$plain_v4" \
    "$(getent_ahosts vmh-plain.docker)"
check_eq "vmhosts lookup vmh-plain.docker names the label that claims it too" 1 \
    "$("$VMHOSTS" lookup vmh-plain.docker | grep -c "container vmh-chooser (ID ${chooser:0:12})")"
check_eq "both.docker, chosen by two running containers: nothing" "exit 2: ''" "$(gone both.docker)"
lookup_both=$("$VMHOSTS" lookup both.docker)
check_eq "vmhosts lookup both.docker says who claims it" "2 name chosen by several containers" \
    "$(grep -c -e "container vmh-chooser (ID" -e "container vmh-rival (ID" <<<"$lookup_both") $(sed -n 's/^  rule: *//p' <<<"$lookup_both")"
dk stop vmh-rival >/dev/null
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "both.docker with vmh-rival stopped: vmh-chooser's" "$chooser_v4" \
    "$(getent_ahosts both.docker)"
dk stop vmh-chooser >/dev/null
"$VMHOSTS" refresh >/dev/null 2>&1
for chosen in api.shop.docker api.shop.test both.docker; do
    check_eq "vmh-chooser stopped: $chosen resolves nothing" "exit 2: ''" "$(gone $chosen)"
done

# --- wildcards (vmhosts.wildcard=true) ---------------------------------------------
# Every name below the container's names answers it; an exact name wins.
proxy=$(docker_run vmh-proxy --label vmhosts.wildcard=true --label vmhosts.names=proxy.shop.test) &&
    below=$(docker_run api.vmh-proxy) || bail_out "cannot start the wildcard containers"
proxy_v4=$(v4_of "$proxy")
check_eq "wildcard: x.y.vmh-proxy.docker answers vmh-proxy" "$proxy_v4" \
    "$(getent_ahosts x.y.vmh-proxy.docker)"
check_eq "wildcard: a.b.proxy.shop.test, below its chosen name, answers vmh-proxy" "$proxy_v4" \
    "$(getent_ahosts a.b.proxy.shop.test)"
check_eq "wildcard: an exact name wins (container api.vmh-proxy)" "$(v4_of "$below")" \
    "$(getent_ahosts api.vmh-proxy.docker)"
check_eq "wildcard: x.vmh-plain.docker, below a container that did not opt in: nothing" \
    "exit 2: ''" "$(gone x.vmh-plain.docker)"
check_eq "wildcard: x.other.docker: nothing" "exit 2: ''" "$(gone x.other.docker)"
check_eq "wildcard: vmhosts lookup names the rule" "wildcard below a container's name" \
    "$("$VMHOSTS" lookup x.y.vmh-proxy.docker | sed -n 's/^  rule: *//p')"
# list shows every chosen name and where it comes from; reverse lookups
# answer the container's own name still.
listed=$("$VMHOSTS" list)
list_row() { awk -v n="$1" '$1 == n' <<<"$listed" | sed 's/  */ /g'; }
check_eq "list: a label's name under label_domains, and its rule" \
    "proxy.shop.test $proxy_v4 docker vmh-proxy (${proxy:0:12}) name chosen by a label" \
    "$(list_row proxy.shop.test)"
check_eq "list: the wildcard below the container's name" \
    "*.vmh-proxy.docker $proxy_v4 docker vmh-proxy (${proxy:0:12}) wildcard below a container's name" \
    "$(list_row '*.vmh-proxy.docker')"
check_eq "list: a network alias under its network" \
    "db-alias.aa-net.docker $aliased_v4 docker vmh-aliased (${aliased:0:12}) name on one network" \
    "$(list_row db-alias.aa-net.docker)"
check_eq "getent hosts $proxy_v4: the container's own name, as before" \
    "$proxy_v4 vmh-proxy.docker ${proxy:0:12}" "$(getent_line hosts "$proxy_v4")"
check_eq "getent hosts $aliased_v4 (has a network alias): its own name" \
    "$aliased_v4 vmh-aliased.docker ${aliased:0:12}" "$(getent_line hosts "$aliased_v4")"
dk stop vmh-proxy >/dev/null
"$VMHOSTS" refresh >/dev/null 2>&1
check_eq "wildcard: vmh-proxy stopped, x.y.vmh-proxy.docker resolves nothing" "exit 2: ''" \
    "$(gone x.y.vmh-proxy.docker)"
write_conf ttl=60 timeout_ms=3000

# --- network modes ---------------------------------------------------------------
shared=$(docker_run vmh-shared --network container:shop-web-1) &&
    hostmode=$(docker_run vmh-hostnet --network host) &&
    nonet=$(docker_run vmh-nonet --network none) || bail_out "cannot start the network-mode containers"
check_eq "--network container:shop-web-1 answers shop-web-1's addresses" \
    "$(sorted "$web1_v4 $web1_v6")" "$(getent_ahosts vmh-shared.docker)"
check_eq "--network host answers the loopback addresses" "127.0.0.1 ::1" \
    "$(getent_ahosts vmh-hostnet.docker)"
check_eq "--network none resolves nothing (getent exits 2)" "exit 2: ''" \
    "$(found=$(getent_ahosts vmh-nonet.docker); echo "exit $?: '$found'")"

# --- reverse lookups ---------------------------------------------------------------
# The canonical name, then the other names of the same container.
expect_reverse() {
    check_eq "getent hosts $1: $3" "$1 $2" "$(getent_line hosts "$1")"
}
for address in $web1_v4 $web1_v6; do
    expect_reverse "$address" "shop-web-1.docker ${web1:0:12}" "shop-web-1, hostname as alias"
done
for address in $web2_v4 $web2_v6; do
    expect_reverse "$address" "shop-web-2.docker ${web2:0:12}" "shop-web-2"
done
for address in $multi_v4 $multi_v6; do
    expect_reverse "$address" "vmh-multi.docker ${multi:0:12}" "each network's address of vmh-multi"
done
thing=$(docker_run vmh-thing --hostname my-thing) || bail_out "cannot start a container"
# A reverse miss does not refresh the cache (every unknown peer of ss -r
# would); the forward lookup that precedes a connection does.
check_eq "getent ahosts vmh-thing.docker: forward first" "$(v4_of "$thing")" \
    "$(getent_ahosts vmh-thing.docker)"
expect_reverse "$(v4_of "$thing")" "vmh-thing.docker my-thing" "--hostname as the alias"
check_eq "gethostbyaddr $(v4_of "$thing"): canonical and alias" "vmh-thing.docker|my-thing" \
    "$(python_resolver byaddr "$(v4_of "$thing")")"
# The host's loopback is the host's, not the --network host container's.
set_hosts_line vmhosts
for address in 127.0.0.1 ::1 192.0.2.99 fd00:db8:1::ffff; do
    check_eq "hosts: vmhosts; getent hosts $address: not ours (exit 2)" "exit 2: ''" \
        "$(found=$(getent_line hosts "$address"); echo "exit $?: '$found'")"
done
# Not ours is UNAVAIL, not NOTFOUND: [NOTFOUND=return] still asks files,
# [UNAVAIL=return] does not.
write_hosts_file "192.0.2.99 elsewhere.test"
set_hosts_line 'vmhosts [NOTFOUND=return] files'
check_eq "[NOTFOUND=return]: 192.0.2.99 is UNAVAIL here, files answers" "192.0.2.99 elsewhere.test" \
    "$(getent_line hosts 192.0.2.99)"
set_hosts_line 'vmhosts [UNAVAIL=return] files'
check_eq "[UNAVAIL=return]: 192.0.2.99 stops at vmhosts" "exit 2: ''" \
    "$(found=$(getent_line hosts 192.0.2.99); echo "exit $?: '$found'")"
check_eq "[UNAVAIL=return]: a container's address still answers" "$web1_v4 shop-web-1.docker ${web1:0:12}" \
    "$(getent_line hosts "$web1_v4")"
set_hosts_line files vmhosts
write_hosts_file

# --- Podman beside Docker ------------------------------------------------------------
if ! podman_start || ! podman_image; then
    skip "Podman beside Docker" "Podman cannot run here: $PODMAN_WHY"
else
    write_conf ttl=60 timeout_ms=5000 docker_socket="$DOCKER_SOCK $PODMAN_SOCK"
    pod=$(podman_run vmh-podman) || bail_out "cannot start a Podman container"
    pod_v4=$(pd inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}' "$pod" | xargs)
    diag "Podman container vmh-podman at $pod_v4"
    check_eq "Podman: vmh-podman.docker" "$pod_v4" "$(getent_ahosts vmh-podman.docker)"
    check_eq "Podman: its ID prefix" "$pod_v4" "$(getent_ahosts "${pod:0:12}.docker")"
    check_eq "Docker beside Podman: vmh-plain.docker" "$plain_v4" "$(getent_ahosts vmh-plain.docker)"
    check_eq "Podman: reverse lookup of $pod_v4" "$pod_v4 vmh-podman.docker ${pod:0:12}" \
        "$(getent_line hosts "$pod_v4")"
    # A watcher follows Podman's events too.  Podman names a removal
    # "remove" (Docker: "destroy") and filters on its own name for a death
    # ("died"): asking only for Docker's names let no death through, and a
    # removed container answered until the resync, minutes later.  The
    # removal comes after the watcher's settle times (3 s after the start's
    # event, watch_loop.c), so only its own event can tell of it.
    "$VMHOSTS" watch >"$T/podman-watch.log" 2>&1 &
    podman_watch=$!
    at_exit 'kill $podman_watch 2>/dev/null; wait $podman_watch 2>/dev/null'
    for ((tries = 0; tries < 50; tries++)); do
        grep -q "following Docker's events on $PODMAN_SOCK" "$T/podman-watch.log" && break
        sleep 0.1
    done
    pevt=$(podman_run vmh-pevt) || bail_out "cannot start a second Podman container"
    for ((tries = 0; tries < 50; tries++)); do
        getent_ahosts vmh-pevt.docker >/dev/null && break
        sleep 0.1
    done
    check "Podman, watched: vmh-pevt.docker, started after the watcher, answers" \
        getent_ahosts vmh-pevt.docker
    sleep 3.5
    pd rm -f -t 0 vmh-pevt >/dev/null 2>&1 || diag "podman rm vmh-pevt failed"
    for ((tries = 0; tries < 30; tries++)); do
        getent_ahosts vmh-pevt.docker >/dev/null || break
        sleep 0.1
    done
    check_eq "Podman, watched: vmh-pevt.docker, removed, resolves nothing within 3 s" "exit 2: ''" \
        "$(found=$(getent_ahosts vmh-pevt.docker); echo "exit $?: '$found'")"
    check "Podman, watched: the watcher follows both engines and still runs" \
        bash -c 'kill -0 "$1" && grep -qF "events on $2" "$4" && grep -qF "events on $3" "$4"' _ \
        "$podman_watch" "$DOCKER_SOCK" "$PODMAN_SOCK" "$T/podman-watch.log"
    kill "$podman_watch" 2>/dev/null
    wait "$podman_watch" 2>/dev/null
    # One engine of two stopping leaves the other's names alone.
    podman_stop
    check_eq "Podman stopped: nothing it started is left running" "" "$(podman_leftovers)"
    "$VMHOSTS" refresh --backend docker >/dev/null 2>&1
    check_eq "Podman stopped: Docker's vmh-plain.docker still resolves" "$plain_v4" \
        "$(getent_ahosts vmh-plain.docker)"
    check_eq "Podman stopped: vmh-podman.docker resolves nothing" "exit 2: ''" \
        "$(found=$(getent_ahosts vmh-podman.docker); echo "exit $?: '$found'")"
fi

done_testing
