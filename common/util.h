/* util.h - small helpers every program uses: fatal errors, checked allocation,
 * and atomic file writes (write to a temporary name, then rename). */
#ifndef DL_UTIL_H
#define DL_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Print "error: <message>" on one line to stderr and exit with status 1. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* malloc/calloc that never return NULL: out of memory is a fatal error. */
void *xmalloc(size_t bytes);
void *xcalloc(size_t count, size_t size);
/* The same, starting on a 64-byte cache line (free it with free). */
void *xmalloc_aligned(size_t bytes);

/* Atomic writes: open "<path>.tmp.<pid>" for writing, and on success rename it
 * over <path>, so a crash or an error never leaves a half-written file behind.
 * atomic_close returns 0 on success, -1 (with the temporary removed) on error. */
typedef struct {
    FILE *f;
    char path[4096];
    char tmp_path[4160];
} AtomicFile;

int atomic_open(AtomicFile *af, const char *path);
int atomic_close(AtomicFile *af);   /* flush, fsync, rename */
void atomic_abort(AtomicFile *af);  /* close and delete the temporary */

/* Create a directory and its parents (like mkdir -p). Returns 0 or -1. */
int make_dirs(const char *path);

/* The files a chapter writes (logs, plots, models) go under its --out folder.
 * Their paths are built in buffers of OUT_PATH_SIZE bytes, far more than any
 * real path needs:
 *
 *     char tsv[OUT_PATH_SIZE];
 *     out_path(tsv, cfg->c.out, "overfit_%s.tsv", name);   ->  "out/03_optimizer/overfit_dropout.tsv"
 *
 * out_path writes "<out>/<name>" into path, the name given as a printf format,
 * and returns path. A path too long for the buffer is a fatal error, never a
 * silently cut name. */
#define OUT_PATH_SIZE 4096
const char *out_path(char *path, const char *out, const char *name_fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
