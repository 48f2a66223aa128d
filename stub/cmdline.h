/* SPDX-License-Identifier: GPL-2.0 */
/* The command-line parser is shared with bmdump load: include/bmdump/. */
#include "bmdump/cmdline.h"
