/* progress.h - progress of long work: a bar redrawn in place on a terminal
 * (steps, percent, speed, time left, and a status such as the loss), and a few
 * plain lines when the output is a file or a pipe. */
#ifndef DL_PROGRESS_H
#define DL_PROGRESS_H

typedef struct {
    const char *label;
    long total;
    long done;
    double start, last_draw;
    int tty;
    int last_tenth;     /* plain mode prints at each tenth */
    int quiet;
} Progress;

void progress_start(Progress *p, const char *label, long total);
/* done steps out of total; status is a short extra text ("loss 0.231") or NULL. */
void progress_update(Progress *p, long done, const char *status);
/* Clear the bar (terminal) so the next line prints cleanly. */
void progress_finish(Progress *p);
/* Turn all progress output off (--quiet). */
void progress_set_quiet(int quiet);

#endif
