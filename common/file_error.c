/* file_error.c - "<path>: <message>" on one line (see file_error.h). */
#include "file_error.h"

#include <stdarg.h>
#include <stdio.h>

int file_error(char *err, const char *path, const char *fmt, ...)
{
    if (!err)
        return -1;
    int n = snprintf(err, FILE_ERR_SIZE, "%s: ", path);
    if (n >= 0 && n < FILE_ERR_SIZE) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, FILE_ERR_SIZE - (size_t)n, fmt, ap);
        va_end(ap);
    }
    for (char *c = err; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = '?';
    return -1;
}
