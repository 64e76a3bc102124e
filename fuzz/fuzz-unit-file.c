/* SPDX-License-Identifier: GPL-2.0-or-later */
/* libFuzzer target: the unit-file parser, on a unit and a drop-in written into a private root. */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "macro.h"
#include "unit-file.h"

static char root[] = "/dev/shm/sdconfine-fuzz-XXXXXX";

static void write_file(const char *rel, const uint8_t *data, size_t size) {
        char p[256];
        snprintf(p, sizeof p, "%s/%s", root, rel);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                abort();
        if (size && write(fd, data, size) != (ssize_t)size)
                abort();
        close(fd);
}

static void cleanup(void) {
        char p[256];
        static const char *const files[] = {"etc/systemd/system/fuzz@.service.d/10-x.conf",
                                            "etc/systemd/system/fuzz@.service",
                                            "etc/systemd/system/fuzz@.service.d",
                                            "etc/systemd/system",
                                            "etc/systemd",
                                            "etc",
                                            ""};
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                snprintf(p, sizeof p, "%s/%s", root, files[i]);
                if (unlink(p) < 0)
                        (void)rmdir(p);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static bool init;
        if (!init) {
                char p[256];
                if (!mkdtemp(root))
                        abort();
                snprintf(p, sizeof p, "%s/etc/systemd/system/fuzz@.service.d", root);
                for (char *s = p + strlen(root) + 1; *s; s++)
                        if (*s == '/') {
                                *s = 0;
                                mkdir(p, 0755);
                                *s = '/';
                        }
                mkdir(p, 0755);
                atexit(cleanup);
                init = true;
        }
        /* the first half is the unit, the second a drop-in of its template */
        size_t half = size / 2;
        write_file("etc/systemd/system/fuzz@.service", data, half);
        write_file("etc/systemd/system/fuzz@.service.d/10-x.conf", data + half, size - half);
        FsRoot *r;
        UnitIndex *idx;
        Service *s;
        if (fs_root_new(root, &r) < 0)
                abort();
        if (unit_index_new(r, UNIT_SCOPE_SYSTEM, NULL, NULL, &idx) >= 0) {
                if (unit_index_load(idx, "fuzz@a\\x2db.service", &s) >= 0)
                        service_free(s);
                unit_index_free(idx);
        }
        fs_root_free(r);
        /* the word splitter on its own */
        char *copy = strndup((const char *)data, size), *w;
        const char *p = copy;
        while (copy && unit_extract_word(&p, &w) > 0)
                free(w);
        free(copy);
        return 0;
}
