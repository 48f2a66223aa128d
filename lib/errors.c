// SPDX-License-Identifier: GPL-2.0
/*
 * The message of each stub error code (include/bmdump/errors.h).  Built
 * into the stub (freestanding: no libc, no relocations) and into the bmdump
 * tool, which decodes the area header's stub_error and bitmap_error fields
 * with it: one implementation for both sides of the on-disk contract.
 */
#include "bmdump/errors.h"

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
