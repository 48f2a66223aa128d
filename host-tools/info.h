/* SPDX-License-Identifier: GPL-2.0 */
/* `bmdump info`: what a dump file or an area holds, as text or JSON. */
#ifndef BMDUMP_INFO_H
#define BMDUMP_INFO_H

#include <stdio.h>

#include <bmdump/area.h>

#include "kdumpfile.h"

/* Crashed CPU and RIP as the stub logged them ("crashed cpu N rip X"). */
int info_log_crashed_cpu(const char *log, int *cpu, uint64_t *rip);

void info_print_area(FILE *out, const struct bmdump_area_header *h,
		     const char *device);
void info_print_dump(FILE *out, const struct kd_image *im, const char *path,
		     int crashed_cpu, uint64_t file_bytes);
void info_print_log(FILE *out, const char *log, unsigned int tail_lines);
void info_print_json(FILE *out, const struct bmdump_area_header *h,
		     const struct kd_image *im, int crashed_cpu,
		     const char *log);

#endif /* BMDUMP_INFO_H */
