/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include "dropin-write.h"
#include "fileio.h"
#include "macro.h"
#include "run-check.h"
#include "unit-verify.h"

#define VERIFY_TIMEOUT_MS 20000u

static int stage(const char *dir, const char *unit, const char *fragment_path, const char *dropin_text) {
        _cleanup_free_ char *text = NULL, *sub = NULL;
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = dfd < 0 ? -errno : read_full_file_at(AT_FDCWD, fragment_path, 0, 4u << 20, &text, NULL);
        if (r >= 0)
                r = atomic_write_at(dfd, unit, text, 0644);
        if (r >= 0 && asprintf(&sub, "%s.d", unit) < 0)
                r = -ENOMEM;
        if (r >= 0 && mkdirat(dfd, sub, 0755) < 0)
                r = -errno;
        _cleanup_close_ int sfd = r >= 0 ? openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -EBADF;
        if (r >= 0 && sfd < 0)
                r = -errno;
        return r < 0 ? r : atomic_write_at(sfd, DROPIN_NAME, dropin_text, 0644);
}

static void unstage(const char *dir, const char *unit) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *sub = NULL;
        if (dfd >= 0 && asprintf(&sub, "%s.d", unit) >= 0) {
                _cleanup_close_ int sfd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sfd >= 0)
                        (void)unlinkat(sfd, DROPIN_NAME, 0);
                (void)unlinkat(dfd, sub, AT_REMOVEDIR);
                (void)unlinkat(dfd, unit, 0);
        }
        (void)rmdir(dir);
}

/* systemd's lines about the drop-in, "…/50-confinement.conf:26: Unknown key 'Foo' in section [Service]" */
static char *complaints(char *output) {
        char *out = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&out, &size);
        if (!f)
                return NULL;
        bool first = true;
        for (char *rest = output, *l; (l = strsep(&rest, "\n"));) {
                char *at = strstr(l, "/" DROPIN_NAME ":");
                if (at) {
                        size_t n = strlen(at + 1);
                        while (n > 0 && at[n] == '.') /* the sentence ends here */
                                n--;
                        fprintf(f, "%s%.*s", first ? "" : "; ", (int)n, at + 1);
                }
                first = first && !at;
        }
        fclose(f);
        if (out && !*out)
                out = mfree_str(out);
        return out;
}

int unit_verify_dropin(const char *unit, const char *fragment_path, const char *dropin_text,
                       char **ret_error) {
        char dir[] = "/tmp/sdconfine-verify-XXXXXX";
        _cleanup_free_ char *cmd = NULL, *output = NULL;
        int status = 0, r;
        if (!fragment_path || strchr(unit, '\''))
                return 0; /* nothing to verify against */
        if (!mkdtemp(dir))
                return -errno;
        r = stage(dir, unit, fragment_path, dropin_text);
        if (r >= 0 &&
            asprintf(&cmd, "SYSTEMD_LOG_COLOR=0 exec systemd-analyze verify --man=no '%s/%s'", dir, unit) < 0)
                r = -ENOMEM;
        if (r >= 0)
                r = run_check(cmd, VERIFY_TIMEOUT_MS, NULL, &status, &output);
        unstage(dir, unit);
        if (r < 0)
                return r;
        if (status == 127)
                return -ENOENT;
        _cleanup_free_ char *said = output ? complaints(output) : NULL;
        if (!said)
                return 0;
        (void)asprintf(ret_error, "systemd-analyze verify refuses the drop-in: %s", said);
        return -EINVAL;
}
