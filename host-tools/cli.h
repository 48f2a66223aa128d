/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every `bmdump COMMAND` shares: the configuration main() chose
 * (--config, BMDUMP_CONFIG), printing an error or a usage error with the
 * right exit code, loading the configuration, and the area selection
 * options (--from IMAGE --partition N | --device PART | AREA=) that save
 * and info take.  The commands themselves live in cmd_*.c.
 */
#ifndef BMDUMP_CLI_H
#define BMDUMP_CLI_H

#include <getopt.h>

#include "bmdump.h"
#include "config.h"
#include "estimate.h"
#include "locate.h"

extern const char *cli_config_path;
extern struct bm_config cli_cfg;
extern int cli_cfg_found;

/* Prints "bmdump: error: <msg>"; returns the exit code for e->code. */
int cli_fail(const struct bm_err *e);
/* Prints "bmdump CMD: <message> (see bmdump help CMD)"; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* getopt_long returned '?' (or an option the command does not take):
 * "bmdump CMD: unknown option --x" (or "needs an argument"), EXIT_USAGE.
 * main() sets opterr = 0, so this is the only message. */
int cli_bad_option(const char *cmd, char **argv);
/* Words left after the options: refused (EXIT_USAGE), else 0. */
int cli_no_args(const char *cmd, int argc, char **argv);
/* Not root: says so and returns EXIT_FAIL; else 0. */
int cli_need_root(const char *cmd);
/* Loads cli_config_path into cli_cfg and prints its warnings; required:
 * a missing file is a usage error.  Returns 0 or an exit code. */
int cli_load_config(int required);
/* Prints the warnings config_load() collected in cli_cfg. */
void cli_print_config_warnings(void);

/* Which area a command works on: an image's partition, a device, or (both
 * unset) the configured AREA=. */
struct area_sel {
	const char *from;
	const char *device;
	int partno;
};

/* The getopt_long entries of the area selection options. */
#define AREA_SEL_OPTIONS						\
	{ "from", required_argument, NULL, 'F' },			\
	{ "partition", required_argument, NULL, 'p' },			\
	{ "device", required_argument, NULL, 'd' }

/* Takes getopt's c if it is an area selection option: 1 taken, 0 not. */
int area_sel_option(struct area_sel *s, int c, const char *arg);
/* Opens the selected area. */
int area_sel_open(struct area_target *t, const struct area_sel *s,
		  int writable, struct bm_err *e);

/* Opens the selected area read-only and reads its header; its label
 * (device, or image and partition) in label. */
int cli_area_header(const struct area_sel *s, struct bmdump_area_header *h,
		    char *label, size_t size, struct bm_err *e);
/* One line for the operator: "<uuid> on <dev>, <state>", or why not. */
void cli_area_state(const struct area_sel *s, char *out, size_t size);

/* bmdump.ko's dry run (refresh: re-run it first, when root); 0 or -1
 * (no module, or text that does not parse). */
int cli_dry_run(struct dry_run *d, int refresh);

/* An area of capacity bytes smaller than what the dry run says a crash
 * now would write: 1 and the warning in out; else 0. */
int cli_capacity_warning(uint64_t capacity, char *out, size_t size);

struct status_facts;
/* cmd_status.c: loads the configuration (a broken one is a fact, not an
 * exit) and probes everything status judges. */
void cli_status_probe(struct status_facts *f);
/* cmd_load.c: the stub's command line for this configuration, checked
 * against the room the stub image has for one. */
int cli_load_cmdline(int have_desc, uint64_t desc, char *cmdline,
		     size_t size, struct bm_err *e);

/* The commands (cmd_*.c); argv[0] is the command's name. */
int cmd_help(int argc, char **argv);
int cmd_prepare(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_selftest(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_estimate(int argc, char **argv);
int cmd_test(int argc, char **argv);

/* cmd_help.c: the overview, and each command's text (NULL: no command). */
extern const char *const help_main;
const char *help_for(const char *cmd);

#endif /* BMDUMP_CLI_H */
