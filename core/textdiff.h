/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A line diff (longest common subsequence): each output line starts with ' ', '-' or '+'. */
int text_diff(const char *old, const char *new, char ***ret);

/* The change from old to new as diff -u prints it (labels on the ---/+++ lines, hunks with context lines
 * of context). 1 and *ret the text when they differ; 0 and *ret NULL when they are the same. */
int text_diff_unified(const char *old, const char *new, const char *old_label, const char *new_label,
                      unsigned context, char **ret);
