/* SPDX-License-Identifier: GPL-2.0 */
/* The error codes moved to include/bmdump/ (the tools report them too). */
#include "bmdump/errors.h"
