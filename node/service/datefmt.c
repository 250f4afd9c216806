/* node/service/datefmt.c: dates in French and English in the French territories' zones
 * (datefmt.h says why the zones are a built-in table). */
#include "datefmt.h"

#include <stdio.h>
#include <string.h>

enum datefmt_rule {
	RULE_NONE, /* one offset all year */
	RULE_EU,   /* +1 h from the last Sunday of March to the last Sunday of October, 01:00 UTC */
	RULE_NA,   /* +1 h from the 2nd Sunday of March to the 1st Sunday of November, 02:00 local */
};

struct datefmt_zone {
	const char *name;
	int std_min; /* standard offset from UTC, minutes */
	enum datefmt_rule rule;
};

/* clang-format off */
static const datefmt_zone zones[] = {
	{ "Europe/Paris", 60, RULE_EU }, /* the default: first */
	/* the Antilles */
	{ "America/Guadeloupe", -240, RULE_NONE },
	{ "America/Martinique", -240, RULE_NONE },
	{ "America/St_Barthelemy", -240, RULE_NONE },
	{ "America/Marigot", -240, RULE_NONE },
	/* Guyane, Saint-Pierre-et-Miquelon */
	{ "America/Cayenne", -180, RULE_NONE },
	{ "America/Miquelon", -180, RULE_NA },
	/* the Indian Ocean */
	{ "Indian/Reunion", 240, RULE_NONE },
	{ "Indian/Mayotte", 180, RULE_NONE },
	{ "Indian/Kerguelen", 300, RULE_NONE },
	/* the Pacific */
	{ "Pacific/Noumea", 660, RULE_NONE },
	{ "Pacific/Wallis", 720, RULE_NONE },
	{ "Pacific/Tahiti", -600, RULE_NONE },
	{ "Pacific/Marquesas", -570, RULE_NONE },
	{ "Pacific/Gambier", -540, RULE_NONE },
	/* for a node that prefers universal time */
	{ "UTC", 0, RULE_NONE },
};
/* clang-format on */
#define N_ZONES (sizeof zones / sizeof zones[0])

static const char *const months_fr[12] = { "janvier", "février", "mars",      "avril",
	                                       "mai",     "juin",    "juillet",   "août",
	                                       "septembre", "octobre", "novembre", "décembre" };
static const char *const months_en[12] = { "January", "February", "March",     "April",
	                                       "May",     "June",     "July",      "August",
	                                       "September", "October", "November", "December" };

const datefmt_zone *datefmt_zone_find(const char *name)
{
	for (size_t i = 0; name && i < N_ZONES; i++)
		if (strcmp(zones[i].name, name) == 0)
			return &zones[i];
	return NULL;
}

const datefmt_zone *datefmt_zone_default(void)
{
	return &zones[0];
}

const char *datefmt_zone_name(const datefmt_zone *z)
{
	return (z ? z : &zones[0])->name;
}

void datefmt_zone_list(char *ret, size_t cap)
{
	size_t len = 0;
	if (cap)
		ret[0] = '\0';
	for (size_t i = 0; i < N_ZONES; i++) {
		int n = snprintf(ret + len, cap - len, "%s%s", i ? ", " : "", zones[i].name);
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
	}
}

/* ---- the calendar (proleptic Gregorian, days since 1970-01-01) ---------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : n[m - 1];
}

/* 0 Sunday .. 6 Saturday (1970-01-01 was a Thursday). */
static unsigned weekday(int64_t days)
{
	int64_t w = (days + 4) % 7;
	return (unsigned)(w < 0 ? w + 7 : w);
}

static int64_t last_sunday(int64_t y, unsigned m)
{
	int64_t last = days_from_civil(y, m, month_days(y, m));
	return last - weekday(last);
}

static int64_t nth_sunday(int64_t y, unsigned m, unsigned n)
{
	int64_t first = days_from_civil(y, m, 1);
	return first + (7 - weekday(first)) % 7 + 7 * (int64_t)(n - 1);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int datefmt_offset_min(const datefmt_zone *z, int64_t utc_s)
{
	if (!z)
		z = &zones[0];
	if (z->rule == RULE_NONE)
		return z->std_min;
	int64_t y;
	unsigned m, d;
	civil_from_days(floor_div(utc_s, 86400), &y, &m, &d);
	int64_t start, end; /* the summer time's bounds, UTC seconds */
	if (z->rule == RULE_EU) {
		start = last_sunday(y, 3) * 86400 + 3600;
		end = last_sunday(y, 10) * 86400 + 3600;
	} else {
		/* 02:00 local standard time, then 02:00 local summer time */
		start = nth_sunday(y, 3, 2) * 86400 + 7200 - (int64_t)z->std_min * 60;
		end = nth_sunday(y, 11, 1) * 86400 + 7200 - (int64_t)(z->std_min + 60) * 60;
	}
	return z->std_min + (utc_s >= start && utc_s < end ? 60 : 0);
}

/* ---- formats -------------------------------------------------------------------------------- */

static void day_text(int64_t y, unsigned m, unsigned d, bool en, char *ret, size_t cap)
{
	if (en)
		snprintf(ret, cap, "%u %s %lld", d, months_en[m - 1], (long long)y);
	else
		snprintf(ret, cap, "%u%s %s %lld", d, d == 1 ? "er" : "", months_fr[m - 1],
		         (long long)y);
}

/* The local calendar day and minute of an instant in z. */
static void local(uint64_t us, const datefmt_zone *z, int64_t *y, unsigned *m, unsigned *d,
                  unsigned *min_of_day)
{
	int64_t s = (int64_t)(us / 1000000u);
	s += (int64_t)datefmt_offset_min(z, s) * 60;
	int64_t days = floor_div(s, 86400);
	civil_from_days(days, y, m, d);
	*min_of_day = (unsigned)((s - days * 86400) / 60);
}

void datefmt_time(uint64_t us, const datefmt_zone *z, bool en, char *ret, size_t cap)
{
	int64_t y;
	unsigned m, d, mins;
	local(us, z, &y, &m, &d, &mins);
	char day[DATEFMT_CAP];
	day_text(y, m, d, en, day, sizeof day);
	if (en)
		snprintf(ret, cap, "%s, %02u:%02u", day, mins / 60, mins % 60);
	else
		snprintf(ret, cap, "%s à %u h %02u", day, mins / 60, mins % 60);
}

void datefmt_day(uint64_t us, const datefmt_zone *z, bool en, char *ret, size_t cap)
{
	int64_t y;
	unsigned m, d, mins;
	local(us, z, &y, &m, &d, &mins);
	day_text(y, m, d, en, ret, cap);
}

static bool parse_ymd(const char *s, size_t len, int64_t *y, unsigned *m, unsigned *d)
{
	if (!s || len != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (size_t i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	*d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m);
}

bool datefmt_ymd(const char *s, size_t len, bool en, char *ret, size_t cap)
{
	int64_t y;
	unsigned m, d;
	if (!parse_ymd(s, len, &y, &m, &d))
		return false;
	day_text(y, m, d, en, ret, cap);
	return true;
}

bool datefmt_period(const char *start, const char *end, bool en, char *ret, size_t cap)
{
	char a[DATEFMT_CAP], b[DATEFMT_CAP];
	if (!start || !datefmt_ymd(start, strlen(start), en, a, sizeof a))
		return false;
	if (!end) {
		snprintf(ret, cap, en ? "since %s" : "depuis le %s", a);
		return true;
	}
	if (!datefmt_ymd(end, strlen(end), en, b, sizeof b))
		return false;
	snprintf(ret, cap, en ? "from %s to %s" : "du %s au %s", a, b);
	return true;
}
