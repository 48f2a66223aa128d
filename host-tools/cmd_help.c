// SPDX-License-Identifier: GPL-2.0
/*
 * `bmdump help [COMMAND]` and `--help`: the overview and each command's
 * usage text (the manual is bmdump(8); keep the two in step).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const char *const help_main =
"usage: bmdump [--config FILE] COMMAND [OPTIONS]\n"
"\n"
"Crash dumps without a capture kernel: a small stub loaded with kexec -p\n"
"writes the crashed kernel's pages to a dump area; bmdump saves them.\n"
"\n"
"commands:\n"
"  prepare PARTITION      make a partition a dump area (new UUID)\n"
"  load                   arm: load the stub with kexec -p\n"
"  unload                 disarm: kexec -p -u\n"
"  status                 armed or not, and why (exit 0 armed, 3 not)\n"
"  save                   save the area's dump to /var/crash\n"
"  info DUMPFILE|--area   what a dump or the area holds\n"
"  selftest [--report]    qualify the dump path at the next boot (UEFI)\n"
"  list                   the saved dumps and the area's state\n"
"  estimate               what a crash now would write, and whether it fits\n"
"  test [--crash]         every check at once; --crash: a real crash drill\n"
"  help [COMMAND]         this text, or a command's\n"
"\n"
"exit codes: 0 success, 1 failure, 2 usage or configuration error,\n"
"3 not armed (status), 4 corrupt or truncated area or dump.\n"
"Configuration: /etc/bmdump.conf (bmdump.conf(5)); manual: bmdump(8).\n";

const char *help_for(const char *cmd)
{
	if (!strcmp(cmd, "prepare"))
		return
"usage: bmdump prepare PARTITION [--force] [--log-size SIZE]\n"
"                      [--boot-slot SIZE]\n"
"       bmdump prepare --create DISK --size SIZE [--force]\n"
"       bmdump prepare --from IMAGE --partition N [--force]\n"
"\n"
"Writes a new area header (new UUID) at the start of a GPT partition and\n"
"sets bmdump's partition type GUID.  --create appends a partition of SIZE\n"
"to DISK (a GPT is created on a blank disk).  Refuses a partition that\n"
"carries a filesystem, RAID, crypto or partition-table signature, or an\n"
"area holding a dump not yet saved; --force destroys them.  --boot-slot\n"
"leaves room (e.g. 256M) for the boot set of FINAL_ACTION=boot.  Prints\n"
"AREA=<uuid> for /etc/bmdump.conf.\n";
	if (!strcmp(cmd, "load"))
		return
"usage: bmdump load [--dry-run]\n"
"\n"
"Checks crashkernel memory, the bmdump module and the area, writes\n"
"DUMP_LEVEL to the module, and loads the stub with kexec -p (kexec -s -p\n"
"when the kernel is locked down or KEXEC_FILE_LOAD=yes).  With\n"
"FINAL_ACTION=boot it first stages the boot set into the area.  --dry-run\n"
"prints the kexec command instead of running it.\n";
	if (!strcmp(cmd, "unload"))
		return "usage: bmdump unload\n\nUnloads the stub (kexec -p -u).\n";
	if (!strcmp(cmd, "status"))
		return
"usage: bmdump status [--json]\n"
"\n"
"Tells whether a crash would be captured now, and every reason why not.\n"
"Exit 0 when armed, 3 when not.\n";
	if (!strcmp(cmd, "save"))
		return
"usage: bmdump save [--from IMAGE [--partition N] | --device PART]\n"
"                   [--dir DIR] [--compress zlib|lzo|zstd|snappy|none]\n"
"                   [--read-only] [--no-progress | --progress]\n"
"\n"
"Saves the dump in the area to DIR/<YYYYMMDDHHMM>/dump.<stamp> (written as\n"
"dump-incomplete, renamed when complete), dmesg.<stamp>, bmdump-log.<stamp>\n"
"and info.<stamp>, all mode 0600; then marks the area saved.  Nothing to\n"
"save: says so, exit 0.  --from reads an area in a disk image; --read-only\n"
"leaves the area as it is.  zstd and snappy dumps are not readable by\n"
"Debian's makedumpfile (crash and drgn read them).  Progress (on a\n"
"terminal, or with --progress) shows the rate and the time left.  With\n"
"SSH= or NFS= in bmdump.conf the dump is then copied off the box.\n";
	if (!strcmp(cmd, "info"))
		return
"usage: bmdump info DUMPFILE [--json | --dmesg]\n"
"       bmdump info --area [--from IMAGE [--partition N] | --device PART]\n"
"                   [--json | --dmesg] [--log]\n"
"\n"
"Shows kernel release, crash time, crashed CPU and RIP, dump level, pages,\n"
"completeness, bitmap source and the stub's log (tail; --log: all).\n"
"--dmesg prints the crashed kernel's log instead.\n";
	if (!strcmp(cmd, "selftest"))
		return
"usage: bmdump selftest [--esp DIR] [--app FILE] [--reset]\n"
"       bmdump selftest --report [--from IMAGE [--partition N] |\n"
"                                 --device PART]\n"
"\n"
"Installs bmdump-selftest.efi and the area's UUID on the EFI system\n"
"partition and makes it the next boot (efibootmgr BootNext, once).  At\n"
"that boot the app drives the disk with the stub's own drivers, writes\n"
"and reads back the area's self-test region (never a dump), records a\n"
"report in the area and returns to the firmware, which boots on with its\n"
"BootOrder (--reset: resets).  The boot entry (\"bmdump selftest\") is\n"
"made once and reused.\n"
"--report prints the last report; exit 0 when it passed.  Refuses\n"
"without UEFI, without an ESP, or under Secure Boot with an unsigned app.\n";
	if (!strcmp(cmd, "list"))
		return
"usage: bmdump list [--json] [--dir DIR]\n"
"                   [--from IMAGE [--partition N] | --device PART]\n"
"\n"
"One line per dump bmdump save left in COREDIR (or DIR): its directory,\n"
"kernel, complete or INCOMPLETE, size and why the kernel died; then the\n"
"area's state.\n";
	if (!strcmp(cmd, "estimate"))
		return
"usage: bmdump estimate [--json]\n"
"                       [--from IMAGE [--partition N] | --device PART]\n"
"\n"
"What a crash now would write at the module's dump level, from bmdump.ko's\n"
"dry run (re-run first when root), against the area's capacity and the\n"
"crashkernel reservation.  Exit 0 when it fits, 1 when not.\n";
	if (!strcmp(cmd, "test"))
		return
"usage: bmdump test [--crash [--yes]]\n"
"\n"
"Runs every check status and load make and reports them all; exit 0 when\n"
"all pass.  --crash then crashes the machine (sysrq c) after you type yes\n"
"(--yes: no question); the next boot's bmdump save reports the result.\n";
	if (!strcmp(cmd, "help"))
		return
"usage: bmdump help [COMMAND]\n"
"\n"
"Prints the overview, or COMMAND's usage (as bmdump COMMAND --help).\n";
	return NULL;
}

int cmd_help(int argc, char **argv)
{
	const char *h;

	if (argc < 2) {
		fputs(help_main, stdout);
		return 0;
	}
	h = help_for(argv[1]);
	if (!h) {
		fprintf(stderr, "bmdump: no command %s\n", argv[1]);
		return EXIT_USAGE;
	}
	fputs(h, stdout);
	return 0;
}
