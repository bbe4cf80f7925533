# tests/names.mk: owned by one piece of work; included from Makefile.am.
