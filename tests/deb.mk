# tests/deb.mk: the Debian packages (issue 18); included from Makefile.am.
# debian/ builds libnss-vmhosts and vmhosts; tests/e2e-deb.sh builds them,
# runs lintian and installs, uses, removes and purges them in a throwaway
# overlay root; tests/module-only.sh builds the module alone, as the
# i386 package's build profile does.  tests/build-deps.sh and
# tests/run-all-report.sh keep the
# quick start's two commands true: what the first installs, what the
# second prints at its end.

E2E_DEB_TESTS = tests/e2e-deb.sh tests/e2e-sudo.sh
TESTS += tests/build-deps.sh tests/run-all-report.sh tests/module-only.sh
EXTRA_DIST += tests/build-deps.sh tests/run-all-report.sh tests/module-only.sh
TESTS += $(E2E_DEB_TESTS)
EXTRA_DIST += $(E2E_DEB_TESTS) tools/install-deb \
	debian/changelog debian/control debian/copyright debian/rules debian/source/format \
	debian/libnss-vmhosts.install debian/libnss-vmhosts.nss \
	debian/libnss-vmhosts.lintian-overrides \
	debian/vmhosts.install debian/vmhosts.postrm debian/vmhosts.prerm \
	debian/vmhosts.lintian-overrides

# make distcheck (tests/run-all runs it after make check): the tarball builds
# with warnings as errors, as run-all's own build does.
DISTCHECK_CONFIGURE_FLAGS = --enable-werror
