/* tests/unit/node/test_datefmt.c: dates as people read them (node/service/datefmt.c): French
 * and English forms, "1er", the summer-time boundaries of Europe/Paris (EU rule) and
 * America/Miquelon (North American rule), the overseas offsets, bad dates refused. */
#include "check.h"
#include "node/service/datefmt.h"

/* Seconds since 1970 of a UTC date and time, as microseconds. */
static uint64_t utc(int y, unsigned mo, unsigned d, unsigned h, unsigned mi)
{
	/* days from 1970-01-01, by counting (the tests' dates are few) */
	int64_t days = 0;
	static const unsigned md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	for (int yy = 1970; yy < y; yy++)
		days += ((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0) ? 366 : 365;
	for (unsigned m = 1; m < mo; m++)
		days += md[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	days += d - 1;
	return (uint64_t)((days * 86400 + h * 3600 + mi * 60) * 1000000);
}

static const datefmt_zone *zone(const char *name)
{
	const datefmt_zone *z = datefmt_zone_find(name);
	CHECK(z != NULL);
	return z;
}

/* An instant, a zone, a language, and what a person reads. */
typedef struct form_case {
	int y;
	unsigned mo, d, h, mi;
	const char *zone;
	bool en, day_only;
	const char *want;
} form_case;

static void check_forms(const form_case *c, size_t n)
{
	char s[DATEFMT_CAP];
	for (size_t i = 0; i < n; i++) {
		const datefmt_zone *z = c[i].zone ? zone(c[i].zone) : NULL;
		uint64_t t = utc(c[i].y, c[i].mo, c[i].d, c[i].h, c[i].mi);
		if (c[i].day_only)
			datefmt_day(t, z, c[i].en, s, sizeof s);
		else
			datefmt_time(t, z, c[i].en, s, sizeof s);
		CHECK_EQ_STR(s, c[i].want);
	}
}

/* A zone's offset in minutes at a UTC instant. */
typedef struct offset_case {
	int y;
	unsigned mo, d, h, mi;
	int want;
} offset_case;

static void check_offsets(const char *name, const offset_case *c, size_t n)
{
	const datefmt_zone *z = zone(name);
	for (size_t i = 0; i < n; i++) {
		int64_t t = (int64_t)(utc(c[i].y, c[i].mo, c[i].d, c[i].h, c[i].mi) / 1000000);
		CHECK_EQ_INT(datefmt_offset_min(z, t), c[i].want);
	}
}

static void test_paris_forms(void)
{
	CHECK_EQ_STR(datefmt_zone_name(datefmt_zone_default()), "Europe/Paris");
	static const form_case cases[] = {
		/* winter: UTC+1 */
		{ 2026, 12, 7, 9, 29, "Europe/Paris", false, false, "7 décembre 2026 à 10 h 29" },
		{ 2026, 12, 7, 9, 29, "Europe/Paris", true, false, "7 December 2026, 10:29" },
		{ 2024, 3, 1, 8, 5, "Europe/Paris", false, false, "1er mars 2024 à 9 h 05" },
		{ 2024, 3, 1, 8, 5, "Europe/Paris", false, true, "1er mars 2024" },
		{ 2024, 3, 1, 8, 5, "Europe/Paris", true, true, "1 March 2024" },
		/* the day changes in the zone before it does in UTC */
		{ 2025, 12, 31, 23, 30, "Europe/Paris", false, true, "1er janvier 2026" },
		/* NULL is the default zone */
		{ 2026, 12, 7, 9, 29, NULL, false, false, "7 décembre 2026 à 10 h 29" },
		/* summer time begins: 01:59 is followed by 03:00 */
		{ 2026, 3, 29, 0, 59, "Europe/Paris", false, false, "29 mars 2026 à 1 h 59" },
		{ 2026, 3, 29, 1, 0, "Europe/Paris", false, false, "29 mars 2026 à 3 h 00" },
		{ 2026, 7, 14, 8, 0, "Europe/Paris", true, false, "14 July 2026, 10:00" },
	};
	check_forms(cases, sizeof cases / sizeof cases[0]);
}

static void test_paris_dst(void)
{
	/* 2026: summer time from Sunday 29 March 01:00 UTC to Sunday 25 October 01:00 UTC;
	 * 2024: 31 March and 27 October */
	static const offset_case cases[] = {
		{ 2026, 3, 29, 0, 59, 60 },  { 2026, 3, 29, 1, 0, 120 }, { 2026, 10, 25, 0, 59, 120 },
		{ 2026, 10, 25, 1, 0, 60 },  { 2024, 3, 31, 1, 0, 120 }, { 2024, 3, 24, 1, 0, 60 },
		{ 2024, 10, 27, 1, 0, 60 },
	};
	check_offsets("Europe/Paris", cases, sizeof cases / sizeof cases[0]);
}

static void test_miquelon_dst(void)
{
	/* 2026: from Sunday 8 March 02:00 local (05:00 UTC) to Sunday 1 November 02:00 local
	 * summer time (04:00 UTC) */
	static const offset_case cases[] = {
		{ 2026, 3, 8, 4, 59, -180 },
		{ 2026, 3, 8, 5, 0, -120 },
		{ 2026, 11, 1, 3, 59, -120 },
		{ 2026, 11, 1, 4, 0, -180 },
	};
	check_offsets("America/Miquelon", cases, sizeof cases / sizeof cases[0]);
	static const form_case forms[] = {
		{ 2026, 7, 1, 12, 0, "America/Miquelon", false, false, "1er juillet 2026 à 10 h 00" },
	};
	check_forms(forms, 1);
}

static void test_overseas(void)
{
	/* 7 December 2026 09:29 UTC, 10 h 29 in Paris */
	static const struct {
		const char *zone, *want;
	} cases[] = {
		{ "America/Martinique", "7 décembre 2026 à 5 h 29" },
		{ "America/Guadeloupe", "7 décembre 2026 à 5 h 29" },
		{ "America/Cayenne", "7 décembre 2026 à 6 h 29" },
		{ "America/Miquelon", "7 décembre 2026 à 6 h 29" },
		{ "Indian/Reunion", "7 décembre 2026 à 13 h 29" },
		{ "Indian/Mayotte", "7 décembre 2026 à 12 h 29" },
		{ "Pacific/Noumea", "7 décembre 2026 à 20 h 29" },
		{ "Pacific/Wallis", "7 décembre 2026 à 21 h 29" },
		{ "Pacific/Tahiti", "6 décembre 2026 à 23 h 29" },
		/* a half-hour zone: 09:29 UTC - 9:30 = 23:59 the day before */
		{ "Pacific/Marquesas", "6 décembre 2026 à 23 h 59" },
	};
	char s[DATEFMT_CAP];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		datefmt_time(utc(2026, 12, 7, 9, 29), zone(cases[i].zone), false, s, sizeof s);
		CHECK_EQ_STR(s, cases[i].want);
	}
	/* in summer the overseas zones do not move */
	datefmt_time(utc(2026, 7, 1, 9, 29), zone("Indian/Reunion"), false, s, sizeof s);
	CHECK_EQ_STR(s, "1er juillet 2026 à 13 h 29");
}

static void test_zones(void)
{
	CHECK(datefmt_zone_find("Europe/Lyon") == NULL);
	CHECK(datefmt_zone_find("") == NULL);
	CHECK(datefmt_zone_find(NULL) == NULL);
	CHECK(datefmt_zone_find("europe/paris") == NULL);
	char list[1024];
	datefmt_zone_list(list, sizeof list);
	CHECK(strncmp(list, "Europe/Paris, ", 14) == 0);
	CHECK(strstr(list, "America/Miquelon") != NULL);
	CHECK(strstr(list, "Pacific/Wallis") != NULL);
	char small[20] = "x";
	datefmt_zone_list(small, sizeof small);
	CHECK(strlen(small) < sizeof small);
}

static void test_ymd_period(void)
{
	char s[DATEFMT_CAP] = "untouched";
	CHECK(datefmt_ymd("2024-03-01", 10, false, s, sizeof s));
	CHECK_EQ_STR(s, "1er mars 2024");
	CHECK(datefmt_ymd("2025-02-28", 10, true, s, sizeof s));
	CHECK_EQ_STR(s, "28 February 2025");
	CHECK(datefmt_ymd("2024-02-29", 10, false, s, sizeof s));
	CHECK_EQ_STR(s, "29 février 2024");
	strcpy(s, "untouched");
	CHECK(!datefmt_ymd("2025-02-29", 10, false, s, sizeof s));
	CHECK(!datefmt_ymd("2025-13-01", 10, false, s, sizeof s));
	CHECK(!datefmt_ymd("2025-1-01x", 10, false, s, sizeof s));
	CHECK(!datefmt_ymd("2025-01-01", 9, false, s, sizeof s));
	CHECK(!datefmt_ymd("2025-00-10", 10, false, s, sizeof s));
	CHECK_EQ_STR(s, "untouched");
	CHECK(datefmt_period("2024-03-01", "2025-02-28", false, s, sizeof s));
	CHECK_EQ_STR(s, "du 1er mars 2024 au 28 février 2025");
	CHECK(datefmt_period("2024-03-01", "2025-02-28", true, s, sizeof s));
	CHECK_EQ_STR(s, "from 1 March 2024 to 28 February 2025");
	CHECK(datefmt_period("2024-03-01", NULL, false, s, sizeof s));
	CHECK_EQ_STR(s, "depuis le 1er mars 2024");
	CHECK(!datefmt_period("2024-03-01", "hier", false, s, sizeof s));
	CHECK(!datefmt_period(NULL, NULL, false, s, sizeof s));
}

CHECK_MAIN(test_paris_forms, test_paris_dst, test_miquelon_dst, test_overseas, test_zones,
           test_ymd_period)
