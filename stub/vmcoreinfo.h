/* SPDX-License-Identifier: GPL-2.0 */
/* The VMCOREINFO parser is shared with bmdump load: include/bmdump/. */
#include "bmdump/vmcoreinfo.h"
