/* file_error.h - how the file loaders (idx.c, image.c, model.c) report a problem.
 *
 * Every message has the same shape, "<path>: <what is wrong>", on one line, so a
 * user always learns which file to look at. Callers pass a buffer of
 * FILE_ERR_SIZE bytes; the message is cut to fit, never overflowing it. */
#ifndef DL_FILE_ERROR_H
#define DL_FILE_ERROR_H

#define FILE_ERR_SIZE 512

/* Write "<path>: <message>" into err (if err is not NULL) and return -1, so a
 * loader can `return file_error(err, path, "truncated");`. Parts of a message
 * may come from the file itself (a tensor's name), so control characters are
 * replaced by '?' to keep the message on one line. */
int file_error(char *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
