#include "progress.h"
#include "timer.h"

#include <stdio.h>
#include <unistd.h>

static int all_quiet;

void progress_set_quiet(int quiet)
{
    all_quiet = quiet;
}

void progress_start(Progress *p, const char *label, long total)
{
    p->label = label;
    p->total = total > 0 ? total : 1;
    p->done = 0;
    p->start = now_seconds();
    p->last_draw = 0;
    p->tty = isatty(STDOUT_FILENO);
    p->last_tenth = 0;
    p->quiet = all_quiet;
}

static void format_time(char *buf, size_t size, double s)
{
    if (s < 0 || s > 359999)
        s = 0;
    int m = (int)(s / 60), sec = (int)s % 60;
    snprintf(buf, size, "%d:%02d", m, sec);
}

void progress_update(Progress *p, long done, const char *status)
{
    p->done = done;
    if (p->quiet)
        return;
    double t = now_seconds();
    double elapsed = t - p->start;
    double rate = elapsed > 0 ? done / elapsed : 0;
    double left = rate > 0 ? (p->total - done) / rate : 0;
    char el[16], lf[16];
    format_time(el, sizeof el, elapsed);
    format_time(lf, sizeof lf, left);
    if (p->tty) {
        /* Redraw at most ten times a second: drawing costs more than a step. */
        if (done < p->total && t - p->last_draw < 0.1)
            return;
        p->last_draw = t;
        const int width = 24;
        int fill = (int)((double)done / p->total * width);
        char bar[32];
        for (int i = 0; i < width; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[width] = '\0';
        printf("\r\033[K%s [%s] %3.0f%% %ld/%ld  %.0f/s  %s elapsed, %s left  %s",
               p->label, bar, 100.0 * done / p->total, done, p->total, rate, el, lf,
               status ? status : "");
        fflush(stdout);
    } else {
        /* Not a terminal: a plain line at each tenth of the way. */
        int tenth = (int)(10 * done / p->total);
        if (tenth > p->last_tenth) {
            p->last_tenth = tenth;
            printf("%s %3d%% %ld/%ld  %s elapsed  %s\n", p->label, tenth * 10, done, p->total,
                   el, status ? status : "");
            fflush(stdout);
        }
    }
}

void progress_finish(Progress *p)
{
    if (!p->quiet && p->tty) {
        printf("\r\033[K");
        fflush(stdout);
    }
}
