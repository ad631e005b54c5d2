/* Dates: the one parser for documents' dates and date: queries. */
#ifndef LUPE_DATE_H
#define LUPE_DATE_H

/*
 * Normalise an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD, then optional
 * THH:MM[:SS][.fraction] and a zone, which is ignored) to 14 digits
 * "YYYYMMDDHHMMSS" (out: 15 bytes), the form of LUPE_SLOT_DATE.  A day
 * the month does not have (2020-02-30) is no date.  Returns 0, or -1 when
 * it is not a date of that form.
 */
int lupe_date_normalise(const char *date, char *out);

#endif
