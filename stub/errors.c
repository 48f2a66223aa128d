// SPDX-License-Identifier: GPL-2.0
#include "errors.h"

/* A switch, not a table of pointers: the stub has no relocations. */
const char *stub_strerror(int code)
{
	switch (code) {
#define STUB_ERROR_CASE(name, c, msg) case c: return msg;
	STUB_ERRORS(STUB_ERROR_CASE)
#undef STUB_ERROR_CASE
	}
	return "unknown error";
}
