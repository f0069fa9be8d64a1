/* plot.c - TSV logs, PNG plots through gnuplot, and quick plots in the terminal (see plot.h).
 *
 * gnuplot is optional: a run without it still writes its .tsv files, and says once
 * how to get the pictures. */
#include "plot.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- TSV logs ------------------------------------------------------------------- */

struct TsvLog {
    AtomicFile file;   /* rows go to a temporary; tsv_close renames it into place */
};

/* A log that cannot be opened is a warning, not the end of the run: the functions
 * below accept the NULL it returns and do nothing. */
TsvLog *tsv_open(const char *path, const char *header)
{
    TsvLog *log = xmalloc(sizeof *log);
    if (atomic_open(&log->file, path) != 0) {
        fprintf(stderr, "warning: cannot write %s: %s\n", path, strerror(errno));
        free(log);
        return NULL;
    }
    fprintf(log->file.f, "%s\n", header);
    return log;
}

void tsv_row(TsvLog *log, const double *values, int count)
{
    if (!log)
        return;
    for (int i = 0; i < count; i++)
        fprintf(log->file.f, "%s%.6g", i ? "\t" : "", values[i]);
    fputc('\n', log->file.f);
}

void tsv_close(TsvLog *log)
{
    if (!log)
        return;
    if (atomic_close(&log->file) != 0)
        fprintf(stderr, "warning: cannot write %s: %s\n", log->file.path, strerror(errno));
    free(log);
}

/* ---- is gnuplot there? --------------------------------------------------------------- */

static int is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Look for `name` in every directory of $PATH, as the shell would. */
static int on_path(const char *name)
{
    const char *dirs = getenv("PATH");
    char full[4096];
    if (!dirs)
        dirs = "/usr/local/bin:/usr/bin:/bin";
    for (;;) {
        const char *colon = strchr(dirs, ':');
        int len = colon ? (int)(colon - dirs) : (int)strlen(dirs);
        if (len == 0)   /* an empty entry means the current directory */
            snprintf(full, sizeof full, "./%s", name);
        else
            snprintf(full, sizeof full, "%.*s/%s", len, dirs, name);
        if (is_executable_file(full))
            return 1;
        if (!colon)
            return 0;
        dirs = colon + 1;
    }
}

int have_gnuplot(void)
{
    static int found = -1;   /* -1: not looked yet */
    if (found < 0)
        found = on_path("gnuplot");
    return found;
}

void plot_missing_hint(void)
{
    static int printed = 0;
    if (printed)
        return;
    printed = 1;
    fprintf(stderr, "note: gnuplot is not installed, so no PNG plots were made; install it with: "
            "sudo apt-get install gnuplot-nox (the numbers are in the .tsv files)\n");
}

/* ---- PNG plots ------------------------------------------------------------------------- */

/* A path goes into the gnuplot script inside single quotes, and into a shell
 * command the same way; inside single quotes only a quote itself (or a line
 * break, in gnuplot) could end the string early, so such paths are refused. */
static int quotable(const char *path)
{
    return strchr(path, '\'') == NULL && strchr(path, '\n') == NULL && strchr(path, '\r') == NULL;
}

static int write_script(const char *script_path, const char *png_path, int width, int height,
                        const char *script)
{
    FILE *f = fopen(script_path, "w");
    if (!f)
        return -1;
    fprintf(f, "set terminal pngcairo size %d,%d font 'sans,10'\n", width, height);
    fprintf(f, "set output '%s'\n", png_path);
    fprintf(f, "%s\n", script);
    fprintf(f, "set output\n");   /* closes the PNG before gnuplot exits */
    return fclose(f) == 0 ? 0 : -1;
}

/* Run gnuplot on a script file, printing whatever it says with a "gnuplot: " prefix.
 * Returns 1 if gnuplot exited with status 0. */
static int run_gnuplot(const char *script_path)
{
    char cmd[4400], line[512];
    /* "./" keeps a relative name that starts with '-' from looking like an option */
    snprintf(cmd, sizeof cmd, "gnuplot '%s%s' 2>&1", script_path[0] == '/' ? "" : "./", script_path);
    fflush(stdout);
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    int line_start = 1;
    while (fgets(line, sizeof line, p)) {
        if (line_start && strspn(line, " \t\r\n") == strlen(line))
            continue;   /* gnuplot pads its messages with blank lines */
        fprintf(stderr, "%s%s", line_start ? "gnuplot: " : "", line);
        line_start = strchr(line, '\n') != NULL;
    }
    if (!line_start)
        fputc('\n', stderr);
    int status = pclose(p);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int nonempty_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* gnuplot draws into a temporary PNG beside the final one, which is renamed into
 * place only if gnuplot succeeded: a failed plot never leaves half a picture. */
int plot_png(const char *png_path, int width, int height, const char *script)
{
    if (!have_gnuplot()) {
        plot_missing_hint();
        return -1;
    }
    if (!quotable(png_path)) {
        fprintf(stderr, "warning: no plot %s: a path with a quote or line break cannot go in a "
                "gnuplot script\n", png_path);
        return -1;
    }
    char tmp_png[4200], tmp_script[4200];
    snprintf(tmp_png, sizeof tmp_png, "%s.tmp.%ld.png", png_path, (long)getpid());
    snprintf(tmp_script, sizeof tmp_script, "%s.tmp.%ld.gp", png_path, (long)getpid());
    int ok = write_script(tmp_script, tmp_png, width, height, script) == 0
             && run_gnuplot(tmp_script)
             && nonempty_file(tmp_png)
             && rename(tmp_png, png_path) == 0;
    remove(tmp_script);
    if (!ok) {
        remove(tmp_png);
        fprintf(stderr, "warning: gnuplot could not make %s\n", png_path);
        return -1;
    }
    return 0;
}

/* ---- plots in the terminal --------------------------------------------------------------- */

#define TEXT_W 60
#define TEXT_H 15

/* The smallest and largest finite x and y; returns the number of finite points. */
static int finite_range(const double *x, const double *y, int n, double lo[2], double hi[2])
{
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        double v[2] = {x[i], y[i]};
        for (int k = 0; k < 2; k++) {
            if (count == 0 || v[k] < lo[k])
                lo[k] = v[k];
            if (count == 0 || v[k] > hi[k])
                hi[k] = v[k];
        }
        count++;
    }
    for (int k = 0; k < 2; k++)
        if (count && hi[k] == lo[k]) {   /* one value: give the axis some width */
            lo[k] -= 1;
            hi[k] += 1;
        }
    return count;
}

/* A point's column and row in the character grid (row 0 at the top). */
static void to_cell(double x, double y, const double lo[2], const double hi[2], double *col, double *row)
{
    *col = (x - lo[0]) / (hi[0] - lo[0]) * (TEXT_W - 1);
    *row = (TEXT_H - 1) - (y - lo[1]) / (hi[1] - lo[1]) * (TEXT_H - 1);
}

/* Dots along the straight line between two cells. */
static void draw_segment(char grid[TEXT_H][TEXT_W + 1], double c0, double r0, double c1, double r1)
{
    int steps = (int)fmax(fabs(c1 - c0), fabs(r1 - r0)) + 1;
    for (int s = 0; s <= steps; s++) {
        double t = (double)s / steps;
        int c = (int)lround(c0 + t * (c1 - c0)), r = (int)lround(r0 + t * (r1 - r0));
        grid[r][c] = '.';
    }
}

/* The built-in plot, used when gnuplot is missing: points as '*', joined by dots,
 * with the y range on the left and the x range underneath. */
static void text_plot(FILE *out, const double *x, const double *y, int n)
{
    double lo[2], hi[2];
    if (finite_range(x, y, n, lo, hi) == 0) {
        fprintf(out, "(nothing to plot)\n");
        return;
    }
    char grid[TEXT_H][TEXT_W + 1];
    for (int r = 0; r < TEXT_H; r++) {
        memset(grid[r], ' ', TEXT_W);
        grid[r][TEXT_W] = '\0';
    }
    double pc = 0, pr = 0;
    int have_previous = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i]))
            continue;
        double c, r;
        to_cell(x[i], y[i], lo, hi, &c, &r);
        if (have_previous)
            draw_segment(grid, pc, pr, c, r);
        pc = c;
        pr = r;
        have_previous = 1;
    }
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i])) {
            double c, r;
            to_cell(x[i], y[i], lo, hi, &c, &r);
            grid[(int)lround(r)][(int)lround(c)] = '*';
        }
    for (int r = 0; r < TEXT_H; r++) {
        if (r == 0 || r == TEXT_H - 1)
            fprintf(out, "%10.4g |%s\n", r == 0 ? hi[1] : lo[1], grid[r]);
        else
            fprintf(out, "%10s |%s\n", "", grid[r]);
    }
    fprintf(out, "%10s +", "");
    for (int c = 0; c < TEXT_W; c++)
        fputc('-', out);
    fprintf(out, "\n%10s  %-*.4g%*.4g\n", "", TEXT_W / 2, lo[0], TEXT_W / 2, hi[0]);
}

/* gnuplot's dumb terminal, with the data inline; the script goes to gnuplot's
 * standard input and the picture comes out on our standard output. */
static int gnuplot_text_plot(const double *x, const double *y, int n)
{
    fflush(stdout);
    FILE *p = popen("gnuplot", "w");
    if (!p)
        return -1;
    fprintf(p, "set terminal dumb size 70,20\nunset key\n$data << EOD\n");
    for (int i = 0; i < n; i++)
        if (isfinite(x[i]) && isfinite(y[i]))
            fprintf(p, "%.9g %.9g\n", x[i], y[i]);
    fprintf(p, "EOD\nplot $data using 1:2 with lines\n");
    int status = pclose(p);
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

void plot_terminal(const char *title, const double *x, const double *y, int n)
{
    double lo[2], hi[2];
    printf("%s\n", title);
    if (finite_range(x, y, n, lo, hi) > 0 && have_gnuplot() && gnuplot_text_plot(x, y, n) == 0)
        return;
    text_plot(stdout, x, y, n);
    fflush(stdout);
}
