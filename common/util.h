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

/* Join a directory and a file name into buf ("dir/name"). */
const char *path_join(char *buf, size_t size, const char *dir, const char *name);

#endif
