/* SPDX-License-Identifier: MIT */
/* Shared scaffolding for the Check suites. */
#ifndef KGW_UNIT_H
#define KGW_UNIT_H

#include <stdlib.h>
#include <check.h>

/* Each suite's main: run, print Check's summary line, exit non-zero on failure. */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* The source tree, for test data (set by the harness; "." otherwise). */
static inline const char *unit_srcdir(void)
{
	const char *d = getenv("KGW_SRCDIR");

	return d ? d : ".";
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
