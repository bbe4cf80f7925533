#!/usr/bin/env bash
# The man pages: they render without a warning, say what the command says
# (every subcommand, every setting, every exit status of lookup), and
# `make install-man` puts them where man looks.
. "${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"
require_built

PAGES="man/vmhosts.1 man/vmhosts.conf.5 man/nss-vmhosts.8"
command -v groff >/dev/null || skip_all "groff is not installed (apt-get install groff-base)"

for page in $PAGES; do
    [ -f "$top_builddir/$page" ] || bail_out "$page was not built: run make"
    warnings=$(LC_ALL=C.UTF-8 groff -t -man -Tutf8 -ww -z "$top_builddir/$page" 2>&1)
    check_eq "$page renders without a warning" "" "$warnings"
    check_eq "$page: every @PLACEHOLDER@ filled in" "" "$(grep -o '@[A-Z]*@' "$top_builddir/$page")"
done

render() { LC_ALL=C.UTF-8 MANWIDTH=200 groff -t -man -Tutf8 "$top_builddir/$1" 2>/dev/null | col -b; }
vmhosts1=$(render man/vmhosts.1)
for command in $("$VMHOSTS" --help | awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}'); do
    check "vmhosts(1) documents vmhosts $command" grep -Eq "^ {7}vmhosts $command|^ {7}$command( |,|$)" <<<"$vmhosts1"
done
exit_section=$(sed -n '/^EXIT STATUS/,/^[A-Z]/p' <<<"$vmhosts1")
for status in $("$VMHOSTS" lookup --help | sed -n '/^Exit status/,$p' | grep -oE '(^|[ ,] ?)[0-9]( |$)' | tr -dc '0-9\n' | sort -u); do
    check "vmhosts(1) documents exit status $status" grep -Eq "^ {7}$status( |$)" <<<"$exit_section"
done

conf5=$(render man/vmhosts.conf.5)
keys=$(VMHOSTS_CONF=/nonexistent "$VMHOSTS" status --nsswitch /dev/null 2>/dev/null |
    awk '/^settings:/ {on = 1; next} on && /^  / {print $1; next} {on = 0}')
[ -n "$keys" ] || bail_out "vmhosts status printed no settings"
for key in $keys; do
    check "vmhosts.conf(5) documents $key" grep -Eq "^ {7}$key " <<<"$conf5"
done

destdir=$T/destdir
make -s -C "$top_builddir" install-man DESTDIR="$destdir" >/dev/null 2>&1
for page in vmhosts.1 vmhosts.conf.5 nss-vmhosts.8; do
    section=${page##*.}
    found=$(find "$destdir" -path "*/man$section/$page" | head -n1)
    check "make install-man installs $page in man$section" test -s "$found"
done

done_testing
