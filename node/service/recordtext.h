/* node/service/recordtext.h: a record's values as a person reads them, in French or English,
 * whatever shows them (the web's entry page escapes them for HTML, `maille show` for a
 * terminal): the label of a field, of a vocabulary value, a licence by its name, a date in long
 * form, a period as one phrase, a rating with its scale, an amount with its thousands grouped,
 * and the order in which a record's fields and a nested object's members are shown (the record
 * tables', proto/record.h). Plain text only: no markup, no escaping; the caller makes the
 * record's own bytes safe for where it writes them. Pure computation, safe from any thread.
 *
 * A buffer of RECORDTEXT_CAP bytes holds any text these functions write. */
#ifndef MAILLE_NODE_SERVICE_RECORDTEXT_H
#define MAILLE_NODE_SERVICE_RECORDTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "node/service/datefmt.h"
#include "proto/record.h"
#include "proto/value.h"

#define RECORDTEXT_CAP (2u * DATEFMT_CAP + 16u)

/* The label of a name as the record tables give it (a record type, a field, a vocabulary
 * value) or of a licence identifier (its name); NULL when nothing names it. */
const char *recordtext_label(const char *name, bool en);

/* A string value of field f as a person reads it: its vocabulary's label, a date in long form
 * ("1er mars 2024"), a licence by its name, a language by its name, the label of the values
 * of the fields the tables leave open (a component's development status...). False (ret
 * untouched) when f has nothing of its own to say of v: the caller shows v as it is. */
bool recordtext_str(const proto_record_field *f, const proto_value *v, bool en, char *ret,
                    size_t cap);

/* An integer of field f: an amount or a measure with its thousands grouped ("68 000" with a
 * narrow no-break space / "68,000"), a rating with its scale ("3 sur 4" / "3 out of 4").
 * False (ret untouched) otherwise. */
bool recordtext_number(const proto_record_field *f, const proto_value *v, bool en, char *ret,
                       size_t cap);

/* A nested object checked as a period, as one phrase: "du 1er mars 2024 au 28 février 2025",
 * "depuis le 1er mars 2024". False (ret untouched) when obj is not a period or v not a
 * well-formed one. */
bool recordtext_period(const proto_record_obj *obj, const proto_value *v, bool en, char *ret,
                       size_t cap);

/* What a record's fields are given to: f the field's table entry (NULL for a field no table
 * knows: key is all there is), v its value (never nil). */
typedef void (*recordtext_field_fn)(const proto_record_field *f, const char *key,
                                    const proto_value *v, void *ctx);

/* The fields of body (a record of type `type`, which may be NULL or unknown) in the order a
 * page shows them: the type's own fields, then the common ones, each table in the order of
 * its `page` ranks; then the body's other fields in the body's order. Those of rank
 * PROTO_PAGE_HEAD (title, summary, description: the heading shows them), `type` and `name`
 * are left out. */
void recordtext_fields(const proto_value *body, const char *type, recordtext_field_fn fn,
                       void *ctx);

/* The members of v, a map checked against obj, in the order of obj's table (labelled by it),
 * then the members it does not know (m NULL) in the map's order. hidden: an e-mail address of
 * a contact whose `public` member is false, which is shown to nobody. */
typedef void (*recordtext_member_fn)(const proto_record_field *m, const char *key,
                                     const proto_value *v, bool hidden, void *ctx);
void recordtext_members(const proto_record_obj *obj, const proto_value *v, recordtext_member_fn fn,
                        void *ctx);

#endif
