/* timer.h - wall-clock time for measuring. */
#ifndef DL_TIMER_H
#define DL_TIMER_H

double now_seconds(void);   /* monotonic clock, in seconds */

/* The median of n timings (n >= 1), the mean of the middle two for even n.
 * Sorts v in place. */
double median(double *v, int n);

#endif
