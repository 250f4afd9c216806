#include "error.h"

const char *maille_strerror(int err)
{
	switch (err) {
	case MAILLE_OK:
		return "success";
#define MAILLE_ERR_MSG_(name, code, msg)                                                          \
	case MAILLE_##name:                                                                           \
		return msg;
		MAILLE_ERRNO_MAP(MAILLE_ERR_MSG_)
#undef MAILLE_ERR_MSG_
	}
	return "unknown error";
}

const char *maille_errname(int err)
{
	switch (err) {
	case MAILLE_OK:
		return "OK";
#define MAILLE_ERR_NAME_(name, code, msg)                                                         \
	case MAILLE_##name:                                                                           \
		return #name;
		MAILLE_ERRNO_MAP(MAILLE_ERR_NAME_)
#undef MAILLE_ERR_NAME_
	}
	return "EUNKNOWN";
}
