# Deep learning from scratch, in C.
#
#   make chapter N     build and run chapter N's default tour (N = 0, 1, 2, ...)
#   make test          build and run the tests (plain, then double precision under ASan+UBSan)
#   make help          everything else
#
# Options: OMP=0 builds without OpenMP, BLAS=1 links a system BLAS (OpenBLAS)
# into the matrix multiply for comparison, ISA=avx2 builds for AVX2 machines
# (in build/release-avx2), OPT="-O2" replaces the optimisation
# flags (the default -march=native tunes for this machine), ARGS="--lr 0.05"
# passes options to a chapter's program.

CC      ?= cc
OPT     ?= -O3 -march=native
OMP     ?= 1
ISA     ?= native
BLAS    ?= 0
ARGS    ?=
DATA    ?= data

# Idle OpenMP threads spin only briefly: on a busy machine spinning makes small
# multiplies many times slower. Each program chooses as it starts, unless
# OMP_WAIT_POLICY is set: a spin of 3000 turns, then sleep, if no other program is
# ready to run, else sleep at once (choose_thread_wait in common/threads.c).
# Nothing is exported from here, so that PyTorch's side of the benchmarks waits as
# OpenMP does by default, its fastest setting (bench/pytorch_compare.py).

WARN    := -Wall -Wextra
# -fno-math-errno: sqrt need not set errno (no code here reads it), so a loop that
# takes square roots can be vector code (Adam's update was not). The results are
# the same: a square root is correctly rounded either way.
BASE    := -std=c11 -D_DEFAULT_SOURCE $(WARN) -fno-math-errno -Icommon
LIBS    := -lpng -lz -lm
ifeq ($(OMP),1)
  BASE  += -fopenmp
else
  BASE  += -Wno-unknown-pragmas   # without OpenMP its pragmas are simply skipped
endif
# ISA=avx2 builds for AVX2 machines (-march=haswell), whatever this one has: the
# kernels then use 8-float vectors, as on a machine without AVX-512.
ifeq ($(ISA),avx2)
  OPT := -O3 -march=haswell
endif
ifeq ($(BLAS),1)
  BASE  += -DUSE_BLAS $(shell pkg-config --cflags openblas 2>/dev/null)
  LIBS  += $(shell pkg-config --libs openblas 2>/dev/null || echo -lopenblas)
endif

COMMON_SRC := $(wildcard common/*.c)
COMMON_HDR := $(wildcard common/*.h)
CHAPTERS   := $(sort $(wildcard [0-9][0-9]_*))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
BENCH_SRC  := $(sort $(wildcard bench/*.c))

# Three builds of the same sources:
#   release - float, optimised: the chapters and benchmarks
#   test    - float, optimised: the test suite
#   check   - double precision, AddressSanitizer + UBSan: the suite again, and the gradient checks
# OMP=0 and BLAS=1 builds get folders of their own, so objects never mix.
CONFIG := $(if $(filter 0,$(OMP)),-noomp)$(if $(filter 1,$(BLAS)),-blas)$(if $(filter avx2,$(ISA)),-avx2)
REL   := build/release$(CONFIG)
CHK   := build/check$(CONFIG)
REL_CFLAGS := $(BASE) $(OPT)
CHK_CFLAGS := $(BASE) -O1 -g -DDL_DOUBLE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

.PHONY: all help chapter test data bench bench-cnn step-ab bench-playground fuzz fuzz-corpus clean deps $(CHAPTERS) chapters tests playground
.DEFAULT_GOAL := help

help:
	@echo "Deep learning from scratch, in C"
	@echo ""
	@echo "  make chapter N      build and run chapter N's default tour (N = 0, 1, 2, ...)"
	@echo "                      pass options with ARGS, e.g. make chapter 2 ARGS=\"--lr 0.05\""
	@echo "                      one part only: make chapter 2 ARGS=\"train --lr 0.05\" (parts: --help)"
	@echo "                      a run replaces the model saved in out/NN_name/ (and says so);"
	@echo "                      ARGS=\"--out out/try1\" keeps it; --resume goes on after Ctrl-C"
	@echo "  make test           build and run the test suite"
	@echo "  make playground     draw a digit, continue a text: the trained nets in the browser"
	@echo "                      (trains chapter 04's SimpleConvNet first if none is saved;"
	@echo "                      ARGS=\"--port 8080\"; see playground/README.md)"
	@echo "  make data           fetch and verify MNIST and Tiny Shakespeare into data/"
	@echo "  make bench          time the chapters' ideas against each other and PyTorch: out/bench/"
	@echo "                      bench.tsv, bench.md, speedups.png, accuracy_vs_time.png (QUICK=1: minutes)"
	@echo "  make bench-cnn      chapter 04's nets against PyTorch, for this machine's vector width and AVX2's"
	@echo "  make step-ab REV=R  DeepConvNet's step stage by stage, revision R's library against this tree's"
	@echo "  make bench-playground  2,000 digit predictions from 16 clients: errors, latency, memory"
	@echo "  make fuzz           fuzz the file loaders, the option parser and the playground API"
	@echo "                      with libFuzzer (clang; FUZZ_S=60 s per target, fails on any finding)"
	@echo "  make fuzz-corpus    write the fuzzers' seed files again (fuzz/make_corpus.c)"
	@echo "  make all            build every chapter (and the playground) without running it"
	@echo "  make deps           install the build dependencies (compiler, libpng, zlib, libmicrohttpd,"
	@echo "                      gnuplot, curl; DL_DEPS_BROWSER=1 adds Chromium for the browser test)"
	@echo "  make clean          remove build/ and out/ (data/ stays)"
	@echo ""
	@echo "  Build options: OMP=0 (no OpenMP), BLAS=1 (system BLAS), ISA=avx2 (for AVX2 machines), OPT=\"-O2\""
	@echo "  Chapters:"
	@for c in $(CHAPTERS); do echo "    $$c   ($(REL)/bin/$$c --help)"; done

# ---- dependencies -----------------------------------------------------------
# deps.sh checks for the compiler, libpng, zlib, libmicrohttpd, gnuplot and curl, and installs what is
# missing with apt-get (as root, or through sudo), or prints the command to run.
DEPS_STAMP := build/.deps-ok
deps:
	@sh scripts/deps.sh
$(DEPS_STAMP): scripts/deps.sh
	@sh scripts/deps.sh
	@mkdir -p build && touch $@

# ---- the shared library, twice ----------------------------------------------
$(REL)/common/%.o: common/%.c $(COMMON_HDR) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c $< -o $@
$(CHK)/common/%.o: common/%.c $(COMMON_HDR) | $(DEPS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CHK_CFLAGS) -c $< -o $@

$(REL)/libcommon.a: $(patsubst %.c,$(REL)/%.o,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^
$(CHK)/libcommon.a: $(patsubst %.c,$(CHK)/%.o,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^

# ---- chapters: one program per folder ----------------------------------------
define chapter_rule
$(REL)/bin/$(1): $(wildcard $(1)/*.c) $(COMMON_HDR) $(REL)/libcommon.a
	@mkdir -p $(REL)/bin
	$(CC) $(REL_CFLAGS) -o $$@ $(wildcard $(1)/*.c) $(REL)/libcommon.a $(LIBS)
endef
$(foreach c,$(CHAPTERS),$(eval $(call chapter_rule,$(c))))

all chapters: $(foreach c,$(CHAPTERS),$(REL)/bin/$(c)) $(REL)/bin/playground

# ---- the playground: a local web server for the trained nets ---------------------
# The page's files are compiled into the program (embed.sh writes them as byte
# arrays); it serves them from that fixed list, never from a path in a request.
PLAY_PAGES := playground/index.html playground/app.js playground/style.css
PLAY_SRC   := playground/playground.c playground/api.c playground/api_seq2seq.c playground/api_gan.c \
              05_rnn/rnnlm.c 05_rnn/seq2seq_models.c 06_gan/gan_nets.c
PLAY_HDR   := $(wildcard playground/*.h) 05_rnn/rnnlm.h 05_rnn/seq2seq_models.h 06_gan/gan_nets.h
PLAY_LIBS  := -lmicrohttpd -lpthread
build/playground/assets.c: playground/embed.sh $(PLAY_PAGES)
	@mkdir -p $(dir $@)
	sh playground/embed.sh $@ $(PLAY_PAGES)
$(REL)/bin/playground: $(PLAY_SRC) $(PLAY_HDR) build/playground/assets.c $(COMMON_HDR) $(REL)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -Iplayground -I05_rnn -I06_gan -o $@ $(PLAY_SRC) build/playground/assets.c $(REL)/libcommon.a $(LIBS) $(PLAY_LIBS)
$(CHK)/bin/playground: $(PLAY_SRC) $(PLAY_HDR) build/playground/assets.c $(COMMON_HDR) $(CHK)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CHK_CFLAGS) -Iplayground -I05_rnn -I06_gan -o $@ $(PLAY_SRC) build/playground/assets.c $(CHK)/libcommon.a $(LIBS) $(PLAY_LIBS)

# `make playground`: chapter 04's SimpleConvNet is trained first if none is saved
# (the digit tab needs it); the other tabs use what their chapters saved.
# PLAY_OUT is where the models are (and where that one goes), PLAY_TRAIN_ARGS
# options for its training (the tests train a small one).
PLAY_OUT ?= out
PLAY_TRAIN_ARGS ?=
playground: $(REL)/bin/playground $(REL)/bin/04_cnn
	@if [ ! -f $(PLAY_OUT)/04_cnn/simple_conv_net.safetensors ] && [ ! -f $(PLAY_OUT)/04_cnn/simple_conv_net_full.safetensors ]; then \
	    echo "playground: no SimpleConvNet saved in $(PLAY_OUT)/04_cnn: training one first (chapter 04 simple, a few minutes)"; \
	    $(MAKE) --no-print-directory data-for-04_cnn && \
	    $(REL)/bin/04_cnn --data $(DATA)/mnist --out $(PLAY_OUT)/04_cnn simple $(PLAY_TRAIN_ARGS) || exit 1; \
	fi
	$(REL)/bin/playground --out $(PLAY_OUT) $(ARGS)

bench-playground: $(REL)/bin/playground $(REL)/bin/04_cnn
	@sh playground/bench.sh $(REL) $(DATA)

# `make chapter 2`: the number is the next word on the command line. It must be
# a folder's number exactly, with or without its leading zero (2 or 02): words
# such as "two", "3x" or "1.5" match no folder and get the usage line.
N := $(word 2,$(MAKECMDGOALS))
CHAPTER_DIR = $(firstword $(filter $(N)_% 0$(N)_%,$(CHAPTERS)))
CHAPTER_USAGE = usage: make chapter N   (N is the number of one of: $(CHAPTERS))
chapter:
	@if [ -z "$(N)" ]; then echo "$(CHAPTER_USAGE)" >&2; exit 2; fi
	@if [ -z "$(CHAPTER_DIR)" ]; then echo "error: no chapter '$(N)'" >&2; echo "$(CHAPTER_USAGE)" >&2; exit 2; fi
	@$(MAKE) --no-print-directory $(REL)/bin/$(CHAPTER_DIR) data-for-$(CHAPTER_DIR)
	$(REL)/bin/$(CHAPTER_DIR) --data $(DATA)/$(if $(filter 05_%,$(CHAPTER_DIR)),tinyshakespeare,mnist) --out out/$(CHAPTER_DIR) $(ARGS)

# The chapter number given after `chapter` is not a target of its own.
ifeq ($(firstword $(MAKECMDGOALS)),chapter)
$(N):
	@:
endif

# ---- data ---------------------------------------------------------------------
# DL_DATA_MIRROR may name a local copy (CI sets ../shared/data); see scripts/fetch_data.sh.
data:
	@sh scripts/fetch_data.sh $(DATA) mnist shakespeare
data-for-%:
	@sh scripts/fetch_data.sh $(DATA) $(if $(filter 05_%,$*),mnist shakespeare,mnist)

# ---- tests --------------------------------------------------------------------
$(REL)/tests/%: tests/%.c $(wildcard tests/*.h) $(COMMON_HDR) $(REL)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -Itests -o $@ $< $(REL)/libcommon.a $(LIBS)
$(CHK)/tests/%: tests/%.c $(wildcard tests/*.h) $(COMMON_HDR) $(CHK)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(CHK_CFLAGS) -Itests -o $@ $< $(CHK)/libcommon.a $(LIBS)
# test_char_lm_net compiles chapter 05's language model into itself
$(REL)/tests/test_char_lm_net $(CHK)/tests/test_char_lm_net: 05_rnn/rnnlm.c 05_rnn/rnnlm.h
# test_gan compiles chapter 06's nets into itself
$(REL)/tests/test_gan $(CHK)/tests/test_gan: 06_gan/gan_nets.c 06_gan/gan_nets.h

TEST_NAMES := $(patsubst tests/%.c,%,$(TEST_SRC))
tests: $(addprefix $(REL)/tests/,$(TEST_NAMES)) $(addprefix $(CHK)/tests/,$(TEST_NAMES)) all $(CHK)/bin/playground

test: tests
	@sh scripts/fetch_data.sh $(DATA) mnist shakespeare
	@DL_TEST_DATA=$(DATA)/mnist DL_REL=$(REL) DL_CHK=$(CHK) sh scripts/run_tests.sh $(REL)/tests $(CHK)/tests -- $(TEST_NAMES)

# ---- benchmarks ------------------------------------------------------------------
# bench_matmul compares with OpenBLAS when it is installed (apt-get install
# libopenblas-dev): HAVE_OPENBLAS tells it so, BENCH_LIBS links it in. A cblas.h
# alone proves nothing (netlib's libblas-dev has one too), so find_openblas.sh
# compiles and links a small program that calls OpenBLAS itself. Only `make bench`
# asks, so other targets do not pay for the probe.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
  OPENBLAS_FLAGS := $(shell sh scripts/find_openblas.sh $(CC))
  ifeq ($(OPENBLAS_FLAGS),)
    $(info bench: OpenBLAS not found (no program linked against it), so the benchmarks run without it)
  else
    BENCH_LIBS := -DHAVE_OPENBLAS $(OPENBLAS_FLAGS)
  endif
endif
# The flags the bench programs were last built with, in a file that changes only
# when they do: installing OpenBLAS after a build (or bench-cnn's build without
# it) makes `make bench` build them again rather than run one that lacks it.
ifneq ($(filter bench bench-cnn,$(MAKECMDGOALS)),)
  BENCH_STAMP := $(REL)/bench/libs
  $(shell mkdir -p $(REL)/bench && [ "$$(cat $(BENCH_STAMP) 2>/dev/null)" = "$(BENCH_LIBS)" ] || \
          printf '%s\n' "$(BENCH_LIBS)" >$(BENCH_STAMP))
endif

$(REL)/bench/%: bench/%.c $(COMMON_HDR) $(REL)/libcommon.a $(BENCH_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -o $@ $< $(REL)/libcommon.a $(LIBS) $(BENCH_LIBS)

# QUICK=1: smaller work, one run each (a few minutes); BENCH_TINY=1: tiny work
# on 1,000 images, to test the bench itself (make test). Both write out/bench/
# (BENCH_OUT=DIR elsewhere): bench.tsv, bench.md, speedups.png, accuracy_vs_time.png.
QUICK ?= 0
BENCH_TINY ?= 0
bench: all $(patsubst bench/%.c,$(REL)/bench/%,$(BENCH_SRC))
	@sh scripts/fetch_data.sh $(DATA) mnist shakespeare
	@QUICK=$(QUICK) BENCH_TINY=$(BENCH_TINY) BENCH_CFLAGS="$(REL_CFLAGS)" sh scripts/bench.sh $(REL) $(DATA)

# DeepConvNet's training step, whole and stage by stage, with the library of
# revision REV against the working tree's, in one process taking turns
# (scripts/step_ab.sh, bench/step_ab/): the measure of a change to the layers.
STEPS ?= 200
THREADS ?= 2
step-ab:
	@CFLAGS="$(REL_CFLAGS)" sh scripts/step_ab.sh "$(REV)" $(STEPS) $(THREADS)

# Chapter 04's nets against PyTorch at this machine's vector width and at AVX2's
# (scripts/bench_cnn.sh; RUNS=3 turns each).
RUNS ?= 3
bench-cnn: build/release/bin/04_cnn build/release/bench/bench_matmul
	@$(MAKE) -s ISA=avx2 build/release-avx2/bin/04_cnn
	@sh scripts/fetch_data.sh $(DATA) mnist
	@sh scripts/bench_cnn.sh $(DATA) $(RUNS)

# ---- fuzzing -------------------------------------------------------------------------
# Each fuzz/fuzz_NAME.c is a libFuzzer target, built by clang with AddressSanitizer
# and UBSan, the library included (instrumented, so libFuzzer sees which branches an
# input reaches; no OpenMP). `make fuzz` runs each for FUZZ_S seconds from its seeds
# in fuzz/corpus/NAME/ (and fuzz/regressions/NAME/), see scripts/fuzz.sh. Needs
# clang and its fuzzer runtime: sudo apt-get install clang libclang-rt-dev
FUZZ_CC  ?= clang
FUZZ_S   ?= 60
FZ       := build/fuzz
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_NAMES := $(patsubst fuzz/fuzz_%.c,%,$(FUZZ_SRC))
# (-Wno-unused-function: without OpenMP, helpers used only in its pragmas go unused)
FUZZ_CFLAGS := -std=c11 -D_DEFAULT_SOURCE $(WARN) -Wno-unknown-pragmas -Wno-unused-function -Icommon -g -O1 \
               -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# First make sure clang can build a fuzzer at all, and say what to install if not.
$(FZ)/.clang-ok:
	@mkdir -p $(FZ)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d && n); }\n' > $(FZ)/check.c
	@$(FUZZ_CC) -fsanitize=fuzzer $(FZ)/check.c -o $(FZ)/check 2>/dev/null || { echo "error: make fuzz needs \
	clang and its libFuzzer runtime ($(FUZZ_CC) -fsanitize=fuzzer failed): sudo apt-get install clang libclang-rt-dev"; exit 2; }
	@rm -f $(FZ)/check.c $(FZ)/check && touch $@

$(FZ)/common/%.o: common/%.c $(COMMON_HDR) | $(FZ)/.clang-ok
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@
$(FZ)/libcommon.a: $(patsubst %.c,$(FZ)/%.o,$(COMMON_SRC))
	@rm -f $@
	ar rcs $@ $^
$(FZ)/bin/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(COMMON_HDR) $(FZ)/libcommon.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Ifuzz -o $@ $< $(FZ)/libcommon.a -lpng -lz -lm

# fuzz_playground takes the playground's API (and the nets it answers with) too
FUZZ_PLAY_SRC := $(filter-out playground/playground.c,$(PLAY_SRC))
$(FZ)/bin/fuzz_playground: fuzz/fuzz_playground.c fuzz/fuzz.h $(FUZZ_PLAY_SRC) $(PLAY_HDR) $(COMMON_HDR) $(FZ)/libcommon.a
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Ifuzz -Iplayground -I05_rnn -I06_gan -o $@ $< $(FUZZ_PLAY_SRC) \
	    $(FZ)/libcommon.a -lpng -lz -lm -lpthread

fuzz: $(addprefix $(FZ)/bin/fuzz_,$(FUZZ_NAMES))
	@sh scripts/fuzz.sh $(FZ) $(FUZZ_S) $(FUZZ_NAMES)

# The seed files in fuzz/corpus/ are written by fuzz/make_corpus.c (committed; run
# this after changing it).
$(REL)/fuzz/make_corpus: fuzz/make_corpus.c $(COMMON_HDR) $(REL)/libcommon.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -o $@ $< $(REL)/libcommon.a $(LIBS)
fuzz-corpus: $(REL)/fuzz/make_corpus
	$(REL)/fuzz/make_corpus fuzz/corpus

clean:
	rm -rf build out
