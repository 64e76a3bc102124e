/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* A line diff (longest common subsequence): each output line starts with ' ', '-' or '+'. */
int text_diff(const char *old, const char *new, char ***ret);
