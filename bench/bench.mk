# bench/bench.mk: owned by one piece of work; included from Makefile.am.
