/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub's error codes: the one table is include/bmdump/errors.h, its
 * messages lib/errors.c (the tool decodes the area header with them too).
 */
#include "bmdump/errors.h"
