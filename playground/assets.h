/* assets.h - the page's files (index.html, app.js, style.css), compiled into the
 * program: playground/embed.sh turns them into byte arrays at build time. */
#ifndef PLAYGROUND_ASSETS_H
#define PLAYGROUND_ASSETS_H

#include <stddef.h>

typedef struct {
    const char *name;               /* the file's name in playground/, e.g. "app.js" */
    const unsigned char *data;
    size_t size;
} Asset;

/* The file of that name, or NULL if it was not compiled in. */
const Asset *asset_find(const char *name);

#endif
