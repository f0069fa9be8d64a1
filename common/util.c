#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    if (!p)
        die("out of memory (asked for %zu bytes)", bytes);
    return p;
}

void *xmalloc_aligned(size_t bytes)
{
    size_t rounded = bytes ? (bytes + 63) / 64 * 64 : 64;   /* aligned_alloc wants a multiple */
    void *p = aligned_alloc(64, rounded);
    if (!p)
        die("out of memory (asked for %zu bytes)", bytes);
    return p;
}

void *xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        die("out of memory (asked for %zu x %zu bytes)", count, size);
    return p;
}

int atomic_open(AtomicFile *af, const char *path)
{
    if (strlen(path) >= sizeof af->path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(af->path, path);
    snprintf(af->tmp_path, sizeof af->tmp_path, "%s.tmp.%ld", path, (long)getpid());
    af->f = fopen(af->tmp_path, "wb");
    return af->f ? 0 : -1;
}

int atomic_close(AtomicFile *af)
{
    int bad = ferror(af->f) != 0;
    if (fflush(af->f) != 0)
        bad = 1;
    if (!bad && fsync(fileno(af->f)) != 0)
        bad = 1;
    if (fclose(af->f) != 0)
        bad = 1;
    af->f = NULL;
    if (!bad && rename(af->tmp_path, af->path) != 0)
        bad = 1;
    if (bad) {
        int saved = errno;
        remove(af->tmp_path);
        errno = saved;
        return -1;
    }
    return 0;
}

void atomic_abort(AtomicFile *af)
{
    if (af->f)
        fclose(af->f);
    af->f = NULL;
    remove(af->tmp_path);
}

int make_dirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

const char *out_path(char *path, const char *out, const char *name_fmt, ...)
{
    int n = snprintf(path, OUT_PATH_SIZE, "%s/", out);
    if (n < 0 || n >= OUT_PATH_SIZE)
        die("--out %s: the folder's name is too long", out);
    va_list ap;
    va_start(ap, name_fmt);
    int m = vsnprintf(path + n, OUT_PATH_SIZE - (size_t)n, name_fmt, ap);
    va_end(ap);
    if (m < 0 || m >= OUT_PATH_SIZE - n)
        die("--out %s: a file name in it would be longer than %d bytes", out, OUT_PATH_SIZE - 1);
    return path;
}
