/* proto/error.h: the one error table of Maille.
 *
 * Every function of proto/, store/, node/ and tools/ that can fail returns int: 0 on success or
 * one of the negative codes below. The table is an X-macro so that the enum, maille_strerror()
 * and maille_errname() (the stable name used in --json output) can never disagree.
 * libuv and SQLite codes are translated into this table in one place each (node/, store/). */
#ifndef MAILLE_PROTO_ERROR_H
#define MAILLE_PROTO_ERROR_H

#define MAILLE_ERRNO_MAP(X)                                                                       \
	X(EPROTO, -1, "malformed data")                                                               \
	X(ENONCANON, -2, "non-canonical encoding")                                                    \
	X(ETOOBIG, -3, "over a size or count limit")                                                  \
	X(EAUTH, -4, "signature or authentication check failed")                                      \
	X(ESCHEMA, -5, "record does not follow the schema")                                           \
	X(ENOTFOUND, -6, "not found")                                                                 \
	X(ECORRUPT, -7, "stored data is corrupt")                                                     \
	X(EIO, -8, "input/output error")                                                              \
	X(ENOMEM, -9, "out of memory")                                                                \
	X(EINVAL, -10, "invalid argument")                                                            \
	X(EEXIST, -11, "already exists")                                                              \
	X(EFUTURE, -12, "timestamp too far in the future")                                            \
	X(EUTF8, -13, "invalid UTF-8")                                                                \
	X(EBUSY, -14, "resource busy")                                                                \
	X(EVERSION, -15, "unsupported version")                                                       \
	X(ENOTNODE, -16, "not a Maille node directory")                                               \
	X(ESTATE, -17, "operation not valid in this state")                                           \
	X(EDENIED, -18, "not covered by the signer's member capability")                              \
	X(EQUOTA, -19, "over the quota of an untrusted territory")

enum maille_err {
	MAILLE_OK = 0,
#define MAILLE_ERR_ENUM_(name, code, msg) MAILLE_##name = (code),
	MAILLE_ERRNO_MAP(MAILLE_ERR_ENUM_)
#undef MAILLE_ERR_ENUM_
};

/* Human message for a code (never NULL; unknown codes give "unknown error"). */
const char *maille_strerror(int err);
/* Stable machine name such as "EPROTO" (never NULL; unknown codes give "EUNKNOWN"). */
const char *maille_errname(int err);

#endif
