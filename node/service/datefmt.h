/* node/service/datefmt.h: dates as people read them, in the node's time zone: French long
 * form ("7 décembre 2026 à 10 h 29", "1er mars 2024", "du 1er mars 2024 au 28 février 2025")
 * or English ("7 December 2026, 10:29"). Machine formats (--json, the API, Atom) stay RFC 3339
 * UTC (node/service/json.h); these are for pages and messages only.
 *
 * The zone is maille.conf's `timezone` (default Europe/Paris). Decision: the zones are a small
 * built-in table of the French territories' zones (metropolitan France and the overseas ones),
 * each with its standard offset and its summer-time rule, not the system's tzdata:
 *   - a minimal Debian installation may have no /usr/share/zoneinfo, and the node must show
 *     the same dates on any machine;
 *   - the web catalogue is multi-threaded, and localtime_r with a zone means setting TZ in the
 *     environment, which is not thread-safe;
 *   - the French zones change rarely: two rules cover them today, the European Union's
 *     (Europe/Paris: from the last Sunday of March to the last Sunday of October, at 01:00
 *     UTC) and the North American one (America/Miquelon: from the second Sunday of March at
 *     02:00 local time to the first Sunday of November at 02:00 local time); the others keep
 *     one offset all year.
 * The rules are applied to every year (the EU rule holds since 1996, the North American one
 * since 2007; the catalogue has no older dates). An unknown zone is a configuration error
 * that names the allowed ones (datefmt_zone_list).
 *
 * Everything here is pure computation on its arguments: no global state, no allocation, safe
 * from any thread. A buffer of DATEFMT_CAP bytes holds any result. A caller with an open node
 * directory writes a date in one call (node_dir_open has checked nd->timezone):
 *     char when[DATEFMT_CAP];
 *     datefmt_time(us, datefmt_zone_find(nd->timezone), !french, when, sizeof when); */
#ifndef MAILLE_NODE_SERVICE_DATEFMT_H
#define MAILLE_NODE_SERVICE_DATEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DATEFMT_CAP 96u
#define DATEFMT_ZONE_DEFAULT "Europe/Paris"

typedef struct datefmt_zone datefmt_zone;

/* The zone named name (as tzdata names it: "Europe/Paris", "America/Martinique"...), or
 * NULL when the table does not have it. */
const datefmt_zone *datefmt_zone_find(const char *name);
/* Europe/Paris. */
const datefmt_zone *datefmt_zone_default(void);
/* The zone's name. */
const char *datefmt_zone_name(const datefmt_zone *z);
/* "Europe/Paris, America/Martinique, ..." (every zone of the table) into ret. */
void datefmt_zone_list(char *ret, size_t cap);
/* The zone's offset from UTC in minutes at the instant utc_s (seconds since 1970, UTC). */
int datefmt_offset_min(const datefmt_zone *z, int64_t utc_s);

/* An instant (microseconds since 1970, UTC) in zone z (NULL: the default):
 * "7 décembre 2026 à 10 h 29" / "7 December 2026, 10:29". */
void datefmt_time(uint64_t us, const datefmt_zone *z, bool en, char *ret, size_t cap);
/* Its day only: "1er mars 2024" / "1 March 2024". */
void datefmt_day(uint64_t us, const datefmt_zone *z, bool en, char *ret, size_t cap);
/* A calendar date written YYYY-MM-DD (a record's date field: no zone) as "1er mars 2024" /
 * "1 March 2024"; false (ret untouched) when s is not such a date. */
bool datefmt_ymd(const char *s, size_t len, bool en, char *ret, size_t cap);
/* A period of two YYYY-MM-DD dates: "du 1er mars 2024 au 28 février 2025" / "from 1 March
 * 2024 to 28 February 2025"; without an end (end NULL): "depuis le 1er mars 2024" / "since
 * 1 March 2024". false (ret untouched) when a date is not well formed. */
bool datefmt_period(const char *start, const char *end, bool en, char *ret, size_t cap);

#endif
