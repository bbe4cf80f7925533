# tests/lxd.mk: the tests of the backends of VMs and system containers (LXD,
# Incus, libvirt); included from Makefile.am.
# E2E_TESTS is in TESTS and EXTRA_DIST already.
E2E_TESTS += tests/e2e-lxd.sh
# Instances with thousands of snapshots, through a stand-in of the API.
E2E_TESTS += tests/e2e-lxd-snapshots.sh
EXTRA_DIST += tests/lib-lxd.sh
# libvirt's leases through a real dnsmasq and libvirt's own lease helper.
E2E_TESTS += tests/e2e-libvirt.sh
# The same against a real libvirtd, in namespaces of its own, and the
# watcher's inotify on the lease folder.
E2E_TESTS += tests/e2e-libvirtd.sh
EXTRA_DIST += tests/lib-libvirt.sh
# A user's rootless Podman, run by a throwaway user the test creates.
E2E_TESTS += tests/e2e-rootless.sh
EXTRA_DIST += tests/lib-users.sh
