/* plot.h - metric logs as TSV files, turned into PNG plots by gnuplot.
 *
 * A run writes its numbers to TSV files (a header line of column names, then
 * one row per step or epoch). Plots are gnuplot scripts run on those files with
 * the pngcairo terminal. Without gnuplot the run still succeeds: plot_png
 * returns -1 and plot_missing_hint() prints once how to get the plots. */
#ifndef DL_PLOT_H
#define DL_PLOT_H

#include <stdio.h>

/* TSV logs. tsv_open writes the header row ("epoch\ttrain_acc\ttest_acc").
 * The file is written atomically: rows go to a temporary, tsv_close renames it. */
typedef struct TsvLog TsvLog;
TsvLog *tsv_open(const char *path, const char *header);
void tsv_row(TsvLog *log, const double *values, int count);
void tsv_close(TsvLog *log);

/* 1 if gnuplot is on the PATH (checked once). */
int have_gnuplot(void);
/* Prints, once per program, how to install gnuplot to get the PNG plots. */
void plot_missing_hint(void);

/* Run a gnuplot script (text) that writes png_path. The script is given with
 * the terminal and output already set: "set terminal pngcairo size W,H; set output
 * 'png_path'" is prepended. Returns 0 if the PNG was made, -1 otherwise
 * (printing the hint if gnuplot is missing, or gnuplot's error). */
int plot_png(const char *png_path, int width, int height, const char *script);

/* A quick plot in the terminal (gnuplot's dumb terminal if present, otherwise
 * a small built-in text plot): y against x for one series. */
void plot_terminal(const char *title, const double *x, const double *y, int n);

#endif
