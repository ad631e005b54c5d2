/* ISO 8601 dates to the sortable form of the date slot (util/date.h). */
#include <string.h>

#include "util/date.h"

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int lupe_date_normalise(const char *d, char *out)
{
	size_t n = strlen(d);
	memcpy(out, "00000101000000", 15);
	/* YYYY, YYYY-MM, YYYY-MM-DD, then optional THH:MM[:SS] and a zone we ignore. */
	if (n < 4 || !digits(d, 4))
		return -1;
	memcpy(out, d, 4);
	if (n == 4)
		return 0;
	if (d[4] != '-' || n < 7 || !digits(d + 5, 2))
		return -1;
	memcpy(out + 4, d + 5, 2);
	if (n > 7) {
		if (d[7] != '-' || n < 10 || !digits(d + 8, 2))
			return -1;
		memcpy(out + 6, d + 8, 2);
	}
	int mon = (out[4] - '0') * 10 + (out[5] - '0');
	int day = (out[6] - '0') * 10 + (out[7] - '0');
	/* A day the month has: 2020-02-30 is no date, 2020-02-29 is. */
	static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int year = (out[0] - '0') * 1000 + (out[1] - '0') * 100 + (out[2] - '0') * 10 + (out[3] - '0');
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap))
		return -1;
	if (n <= 10)
		return 0;
	if ((d[10] != 'T' && d[10] != ' ') || n < 16 || !digits(d + 11, 2) || d[13] != ':' || !digits(d + 14, 2))
		return -1;
	memcpy(out + 8, d + 11, 2);
	memcpy(out + 10, d + 14, 2);
	size_t k = 16;
	if (n >= 19 && d[16] == ':' && digits(d + 17, 2)) {
		memcpy(out + 12, d + 17, 2);
		k = 19;
	}
	while (k < n && (d[k] == '.' || (d[k] >= '0' && d[k] <= '9')))
		k++; /* fractions of a second */
	if (k < n && !(d[k] == 'Z' || d[k] == '+' || d[k] == '-'))
		return -1;
	int hh = (out[8] - '0') * 10 + (out[9] - '0');
	int mm = (out[10] - '0') * 10 + (out[11] - '0');
	int ss = (out[12] - '0') * 10 + (out[13] - '0');
	return (hh > 24 || mm > 59 || ss > 60) ? -1 : 0;
}
