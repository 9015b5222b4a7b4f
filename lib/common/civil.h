/*
 * Calendar arithmetic on the proleptic Gregorian calendar, UTC: days since
 * 1970-01-01 from a date and back (H. Hinnant's days_from_civil and
 * civil_from_days), for every place that turns times into dates.
 */
#ifndef ST_COMMON_CIVIL_H
#define ST_COMMON_CIVIL_H

#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31; negative before 1970). */
int64_t st_days_from_civil(int64_t y, int m, int d);

/* The date of day z since 1970-01-01 into *y, *m (1..12), *d (1..31). */
void st_civil_from_days(int64_t z, int64_t *y, int *m, int *d);

#endif
