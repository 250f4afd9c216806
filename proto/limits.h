/* proto/limits.h: every bound on data that a peer, a file or a command line controls.
 *
 * Decoders check these before they allocate or copy; nothing in Maille is sized by a count that
 * outside bytes announce without first being checked against one of these constants. */
#ifndef MAILLE_PROTO_LIMITS_H
#define MAILLE_PROTO_LIMITS_H

/* Entries (PROTOCOL.md §1). */
#define PROTO_ENTRY_MAX (256u * 1024u)  /* whole encoded entry, signature included */
#define PROTO_PATH_MAX 256u             /* bytes of an entry path */
#define PROTO_PATH_SEGMENTS_MAX 16u     /* '/'-separated segments of a path */
#define PROTO_CAPREF_MAX PROTO_PATH_MAX /* a capability reference is a path */
#define PROTO_FUTURE_SKEW_US (10ull * 60ull * 1000000ull) /* 10 minutes */

/* Bodies (canonical msgpack values). */
#define PROTO_VALUE_DEPTH_MAX 16u  /* nesting of arrays and maps */
#define PROTO_MAP_KEY_MAX 64u      /* bytes of a map key (keys are strings) */
#define PROTO_VALUE_NODES_MAX 65536u /* values in one decoded tree */

/* Records (proto/record.h, proto/schema.c). */
#define PROTO_TITLE_MAX 200u       /* characters of a title, in each language */
#define PROTO_SUMMARY_ADVISED 150u /* characters: beyond, a warning */
#define PROTO_LANG_TAG_MAX 35u     /* bytes of a BCP 47 tag used as a language-map key */
#define PROTO_SCHEMA_WARN_MAX 32u  /* warnings kept by one validation */
#define PROTO_SCHEMA_ERR_MAX 32u   /* errors kept by one validation (all are counted) */
#define PROTO_SCHEMA_MSG_MAX 512u  /* bytes of one language's text of an issue */

/* Files read by the CLI. */
#define MAILLE_INPUT_FILE_MAX (1024u * 1024u) /* a Markdown/YAML file given to publish */
#define MAILLE_SEARCH_LIMIT_MAX 10000u

#endif
