/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "confine.h"
#include "fileio.h"
#include "macro.h"
#include "run-check.h"
#include "security-score.h"

#define OVERALL "Overall exposure level for "
#define UNIT_FILE_MAX (4u << 20)
#define ANALYZE_TIMEOUT_MS 30000u

/* A figure as systemd prints it ("%" PRIu64 ".%" PRIu64, no locale): digits, a dot, one digit. */
static int parse_figure(const char *p, double *ret, const char **ret_end) {
        unsigned whole = 0, tenths = 0;
        if (*p < '0' || *p > '9')
                return -EBADMSG;
        for (; *p >= '0' && *p <= '9'; p++)
                if ((whole = whole * 10 + (unsigned)(*p - '0')) > 10)
                        return -EBADMSG;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9')
                        return -EBADMSG;
                tenths = (unsigned)(*p++ - '0');
        }
        if (whole * 10 + tenths > 100)
                return -EBADMSG;
        *ret = whole + tenths / 10.0;
        *ret_end = p;
        return 0;
}

/* A copy of text without terminal escapes: colours (ESC [ ... letter) and links (ESC ] ... BEL or ESC \\),
 * which systemd writes when SYSTEMD_COLORS is set even into a pipe. */
static char *strip_escapes(const char *text) {
        char *s = malloc(strlen(text) + 1), *o = s;
        if (!s)
                return NULL;
        for (const char *p = text; *p;) {
                if (p[0] == '\033' && p[1] == '[') {
                        for (p += 2; *p && !(*p >= 0x40 && *p <= 0x7e); p++)
                                ;
                        p += *p ? 1 : 0;
                } else if (p[0] == '\033' && p[1] == ']') {
                        for (p += 2; *p && *p != '\a' && !(p[0] == '\033' && p[1] == '\\'); p++)
                                ;
                        p += *p == '\a' ? 1 : *p ? 2 : 0;
                } else
                        *o++ = *p++;
        }
        *o = 0;
        return s;
}

int security_parse_output(const char *raw, const char *unit, double *ret_score, char **ret_level) {
        const char *line = NULL;
        if (!raw)
                return -EINVAL;
        _cleanup_free_ char *text = strip_escapes(raw);
        if (!text)
                return -ENOMEM;
        /* the last such line for unit: a report of several units has one each */
        for (const char *p = text; (p = strstr(p, OVERALL)); p += strlen(OVERALL)) {
                const char *name = p + strlen(OVERALL), *eol = strchrnul(name, '\n');
                /* unit names may hold ':', so the figure follows the last ": " of the line */
                const char *sep = NULL;
                for (const char *q = name; q + 1 < eol; q++)
                        if (q[0] == ':' && q[1] == ' ')
                                sep = q;
                if (!sep)
                        continue;
                if (unit && ((size_t)(sep - name) != strlen(unit) || strncmp(name, unit, sep - name) != 0))
                        continue;
                line = sep + 2;
        }
        if (!line)
                return -EBADMSG;
        double score;
        const char *end;
        int r = parse_figure(line, &score, &end);
        if (r < 0)
                return r;
        if (*end != ' ' && *end != '\n' && *end != 0)
                return -EBADMSG;
        if (ret_level) {
                while (*end == ' ')
                        end++;
                size_t n = strcspn(end, " \n");
                char *level = strndup(end, n);
                if (!level)
                        return -ENOMEM;
                *ret_level = level;
        }
        *ret_score = score;
        return 0;
}

static int write_file_at(int dir_fd, const char *name, const char *text) {
        _cleanup_close_ int fd =
                openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        size_t n = strlen(text);
        for (size_t done = 0; done < n;) {
                ssize_t k = write(fd, text + done, n - done);
                if (k < 0 && errno != EINTR)
                        return -errno;
                if (k > 0)
                        done += (size_t)k;
        }
        return 0;
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* The temporary root: etc/systemd/system/ with the unit file and its drop-in directories. */
typedef struct ScoreRoot {
        char dir[64];
        int units_fd;
        char **made; /* relative to units_fd, removed in reverse order */
} ScoreRoot;

static void score_root_done(ScoreRoot *s) {
        for (size_t n = strv_length(s->made); n > 0; n--) {
                const char *m = s->made[n - 1];
                (void)unlinkat(s->units_fd, m, m[strlen(m) - 1] == '/' ? AT_REMOVEDIR : 0);
        }
        strv_free(s->made);
        if (s->units_fd >= 0)
                close(s->units_fd);
        if (s->dir[0]) {
                static const char *const up[] = {"/etc/systemd/system", "/etc/systemd", "/etc", ""};
                for (size_t i = 0; i < ELEMENTSOF(up); i++) {
                        char p[128];
                        snprintf(p, sizeof p, "%s%s", s->dir, up[i]);
                        (void)rmdir(p);
                }
        }
}

static int score_root_make(ScoreRoot *s) {
        *s = (ScoreRoot){.units_fd = -1};
        const char *tmp = getenv("TMPDIR");
        if (!tmp || tmp[0] != '/' || strlen(tmp) > 30)
                tmp = "/tmp";
        snprintf(s->dir, sizeof s->dir, "%s/sdconfine-score.XXXXXX", tmp);
        if (!mkdtemp(s->dir)) {
                s->dir[0] = 0;
                return -errno;
        }
        char p[128];
        static const char *const down[] = {"/etc", "/etc/systemd", "/etc/systemd/system"};
        for (size_t i = 0; i < ELEMENTSOF(down); i++) {
                snprintf(p, sizeof p, "%s%s", s->dir, down[i]);
                if (mkdir(p, 0755) < 0)
                        return -errno;
        }
        s->units_fd = open(p, O_DIRECTORY | O_CLOEXEC);
        return s->units_fd < 0 ? -errno : 0;
}

/* Put text at DIR/NAME below the unit directory (dir NULL: at the top). */
static int score_root_put(ScoreRoot *s, const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *rel = NULL, *dir_slash = NULL;
        int r;
        if (strchr(name, '/') || (dir && strchr(dir, '/')) || streq(name, "..") || streq(name, "."))
                return -EINVAL;
        if (dir) {
                if (asprintf(&dir_slash, "%s/", dir) < 0)
                        return -ENOMEM;
                if (mkdirat(s->units_fd, dir, 0755) >= 0) {
                        if ((r = strv_extend(&s->made, dir_slash)) < 0)
                                return r;
                } else if (errno != EEXIST)
                        return -errno;
        }
        if (asprintf(&rel, "%s%s", dir_slash ? dir_slash : "", name) < 0)
                return -ENOMEM;
        /* a later drop-in of the same name (from /etc over /lib) replaces an earlier one, already listed */
        if (unlinkat(s->units_fd, rel, 0) < 0) {
                if (errno != ENOENT)
                        return -errno;
                if ((r = strv_extend(&s->made, rel)) < 0)
                        return r;
        }
        return write_file_at(s->units_fd, rel, text);
}

static int read_unit_file(int root_fd, const char *path, char **ret) {
        while (root_fd != AT_FDCWD && *path == '/')
                path++;
        return read_full_file_at(root_fd, path, 0, UNIT_FILE_MAX, ret, NULL);
}

static int fill_root(ScoreRoot *s, const SecurityUnit *u, const char *dropin_text, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        int r = read_unit_file(u->root_fd, u->fragment_path, &text);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot read %s: %s", u->fragment_path, error_words(-r));
                return r;
        }
        if ((r = score_root_put(s, NULL, base_name(u->fragment_path), text)) < 0)
                return r;
        for (char *const *d = u->dropin_paths; d && *d; d++) {
                _cleanup_free_ char *dtext = NULL, *dir = NULL;
                r = read_unit_file(u->root_fd, *d, &dtext);
                if (r < 0) {
                        (void)asprintf(ret_error, "cannot read %s: %s", *d, error_words(-r));
                        return r;
                }
                if (confine_dropin_is_ours(dtext))
                        continue;
                const char *slash = strrchr(*d, '/');
                if (!slash || slash == *d)
                        return -EINVAL;
                dir = strndup(*d, slash - *d);
                if (!dir)
                        return -ENOMEM;
                if ((r = score_root_put(s, base_name(dir), slash + 1, dtext)) < 0)
                        return r;
        }
        if (dropin_text) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s.d", u->unit) < 0)
                        return -ENOMEM;
                r = score_root_put(s, dir, "50-confinement.conf", dropin_text);
        }
        return r;
}

static int analyze(const ScoreRoot *s, const char *unit, double *ret_score, char **ret_error) {
        _cleanup_free_ char *root_arg = NULL, *out = NULL, *errors = NULL;
        if (asprintf(&root_arg, "--root=%s", s->dir) < 0)
                return -ENOMEM;
        char *argv[] = {(char *)"systemd-analyze",
                        (char *)"security",
                        (char *)"--no-pager",
                        (char *)"--offline=yes",
                        root_arg,
                        (char *)"--",
                        (char *)unit,
                        NULL};
        int status, r = run_program(argv, NULL, 1u << 20, ANALYZE_TIMEOUT_MS, &status, &out, &errors);
        if (r == -ENOENT) {
                (void)asprintf(ret_error, "systemd-analyze is not installed (package systemd)");
                return r;
        }
        if (r < 0) {
                (void)asprintf(ret_error, "systemd-analyze security failed: %s", strerror(-r));
                return r;
        }
        if (status != 0) {
                size_t n = strlen(errors);
                while (n > 0 && errors[n - 1] == '\n')
                        errors[--n] = 0;
                (void)asprintf(ret_error, "systemd-analyze security %s failed (exit status %d): %s", unit,
                               status, n ? errors : "no message");
                return -EIO;
        }
        r = security_parse_output(out, unit, ret_score, NULL);
        if (r == -EBADMSG)
                (void)asprintf(ret_error, "systemd-analyze security %s printed no overall exposure level",
                               unit);
        return r;
}

int security_score(const SecurityUnit *u, const char *dropin_text, double *ret_score, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        _cleanup_(score_root_done) ScoreRoot s = {.units_fd = -1};
        double score;
        if (!u || !u->unit || !u->fragment_path)
                return -EINVAL;
        int r = score_root_make(&s);
        if (r >= 0)
                r = fill_root(&s, u, dropin_text, &error);
        if (r < 0 && !error)
                (void)asprintf(&error, "cannot prepare the unit files for systemd-analyze: %s", strerror(-r));
        if (r >= 0)
                r = analyze(&s, u->unit, &score, &error);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(error);
                return r;
        }
        *ret_score = score;
        return 0;
}
