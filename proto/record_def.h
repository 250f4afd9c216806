/* proto/record_def.h: short names for writing the record tables (proto/record_*.c); private
 * to proto/. Each table is a list of designated initialisers: the members a field does not
 * name are zero (optional, no vocabulary, not on the form, not searched...). */
#ifndef MAILLE_PROTO_RECORD_DEF_H
#define MAILLE_PROTO_RECORD_DEF_H

#include "record.h"

#define R PROTO_REQUIRED
#define REC PROTO_RECOMMENDED
#define O PROTO_OPTIONAL

/* A vocabulary term. */
#define T(v, fr, en) { v, { fr, en } }
#define T_END { NULL, { NULL, NULL } }
#define F_END { .name = NULL }

/* Listed on an entry page in table order (the type's own fields). */
#define PAGE_LISTED 1u


/* The types' own tables, one file each. */
extern const proto_record_field proto_record_methodology_[], proto_record_use_case_[],
    proto_record_component_[], proto_record_rex_[], proto_record_territory_[],
    proto_record_call_[], proto_record_label_[], proto_record_interest_[], proto_record_award_[],
    proto_record_comment_[];

/* record_common.c's, which the cooperation records' tables reuse */
extern const proto_record_obj proto_record_contact_obj;

#endif
