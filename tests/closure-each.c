/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test helper for tests/ldd-diff.sh: the closure of each ELF file named on stdin, one closure per file
 * in one process, printed as "F file", "L realpath"... , "M missing-name" lines. Non-ELF files are skipped.
 */
#include "config.h"

#include <fcntl.h>

#include "closure.h"
#include "macro.h"

int main(void) {
        ClosureContext *ctx;
        char line[4096];
        if (closure_context_new("/", &ctx) < 0)
                return 1;
        while (fgets(line, sizeof line, stdin)) {
                line[strcspn(line, "\n")] = 0;
                char magic[4];
                int fd = open(line, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, magic, 4);
                close(fd);
                if (n != 4 || memcmp(magic, "\177ELF", 4) != 0)
                        continue;
                Closure *c;
                if (closure_new(ctx, &c) < 0)
                        return 1;
                if (closure_add_program(c, line, NULL) >= 0) {
                        printf("F %s\n", line);
                        for (size_t i = 0; i < closure_n_nodes(c); i++)
                                if (!closure_node(c, i)->root)
                                        printf("L %s\n", closure_node(c, i)->realpath);
                        for (size_t i = 0; i < closure_n_missing(c); i++)
                                printf("M %s\n", closure_missing(c, i)->name);
                }
                closure_free(c);
        }
        closure_context_free(ctx);
        return 0;
}
