/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "dropin-write.h"
#include "fileio.h"
#include "json-util.h"
#include "macro.h"
#include "service.h"
#include "try-suggest.h"
#include "unit-closure.h"
#include "unit-name.h"

#define TRY_FILE_MAX (4u * 1024 * 1024)

int try_suggest_path(const char *unit, char **ret) {
        if (!unit_name_is_valid(unit, UNIT_NAME_ANY))
                return -EINVAL;
        if (asprintf(ret, TRY_SUGGEST_DIR "/%s.json", unit) < 0)
                return -ENOMEM;
        return 0;
}

static int open_root(const char *root_dir) {
        int fd = open(root_dir ? root_dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* A path we would bind: absolute, printable, not a secret. */
static bool path_acceptable(const char *p) {
        if (!p || p[0] != '/' || p[1] == 0)
                return false;
        for (const char *c = p; *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        return false;
        return !unit_path_is_hazard(p, NULL);
}

int try_suggest_load(const char *root_dir, const char *unit, JournalSuggestion **ret, size_t *ret_n) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_close_ int root_fd = -EBADF;
        JournalSuggestion *items = NULL;
        size_t n = 0, allocated = 0;
        int r = try_suggest_path(unit, &path);
        if (r < 0)
                return r;
        root_fd = open_root(root_dir);
        if (root_fd < 0)
                return root_fd;
        r = read_full_file_at(root_fd, path, O_NOFOLLOW, TRY_FILE_MAX, &text, NULL);
        if (r < 0)
                return r == -ELOOP ? -EBADMSG : r;
        _cleanup_json_ json_t *doc = json_loads(text, 0, NULL);
        json_t *list = json_object_get(doc, "suggestions"), *v;
        size_t i;
        if (!json_is_array(list) || json_integer_value(json_object_get(doc, "format")) != 1 ||
            !json_is_string(json_object_get(doc, "unit")) ||
            !streq(json_string_value(json_object_get(doc, "unit")), unit))
                return -EBADMSG;
        json_array_foreach(list, i, v) {
                const char *p = json_string_value(json_object_get(v, "path")),
                           *line = json_string_value(json_object_get(v, "line"));
                if (!path_acceptable(p) || !line) {
                        journal_suggestions_free(items, n);
                        return -EBADMSG;
                }
                if (!GROW(items, allocated, n + 1)) {
                        journal_suggestions_free(items, n);
                        return -ENOMEM;
                }
                items[n] = (JournalSuggestion){.hint = JOURNAL_HINT_PATH,
                                               .path = strdup(p),
                                               .line = strdup(line),
                                               .writable = json_is_true(json_object_get(v, "writable"))};
                if (!items[n++].path || !items[n - 1].line) {
                        journal_suggestions_free(items, n);
                        return -ENOMEM;
                }
        }
        *ret = items;
        *ret_n = n;
        return 0;
}

/* jansson takes UTF-8 only: a journal line that is not is kept with '?' for each byte above ASCII */
static json_t *json_text(const char *s) {
        json_t *j = json_string(s);
        if (j)
                return j;
        _cleanup_free_ char *a = strdup(s);
        if (!a)
                return NULL;
        for (char *c = a; *c; c++)
                if ((unsigned char)*c >= 0x80)
                        *c = '?';
        return json_string(a);
}

/* one atomic protocol for every file sdconfine keeps: dropin-write's */
static int write_atomic_at(int root_fd, const char *dir, const char *name, const char *text) {
        int r = mkdirs_at(root_fd, dir, 0755);
        if (r < 0)
                return r;
        _cleanup_close_ int dfd = openat(root_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        return atomic_write_at(dfd, name, text, 0600);
}

int try_suggest_store(const char *root_dir, const char *unit, const JournalSuggestion *s, size_t n) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        JournalSuggestion *old = NULL;
        size_t n_old = 0;
        int r = try_suggest_path(unit, &path);
        if (r < 0)
                return r;
        r = try_suggest_load(root_dir, unit, &old, &n_old);
        if (r == -ENOENT || r == -EBADMSG) /* a file that is not ours is replaced by ours */
                r = 0;
        if (r < 0)
                return r;
        _cleanup_json_ json_t *list = json_array();
        r = list ? 0 : -ENOMEM;
        /* the kept ones first, then the new ones not kept yet; a path seen writable stays writable */
        for (size_t pass = 0; pass < 2 && r >= 0; pass++) {
                const JournalSuggestion *from = pass == 0 ? old : s;
                for (size_t i = 0; i < (pass == 0 ? n_old : n) && r >= 0; i++) {
                        const JournalSuggestion *x = from + i;
                        json_t *v;
                        size_t k;
                        bool seen = false;
                        if (x->hint != JOURNAL_HINT_PATH || !path_acceptable(x->path))
                                continue;
                        json_array_foreach(
                                list, k,
                                v) if (streq(json_string_value(json_object_get(v, "path")), x->path)) {
                                seen = true;
                                if (x->writable)
                                        json_object_set_new(v, "writable", json_true());
                        }
                        if (seen)
                                continue;
                        _cleanup_json_ json_t *p = json_string(x->path), *l = json_text(x->line);
                        if (!p) /* not UTF-8: no JSON string can hold it */
                                continue;
                        v = l ? json_pack("{s:O, s:b, s:O}", "path", p, "writable", x->writable, "line", l)
                              : NULL;
                        if (!v || json_array_append_new(list, v) < 0)
                                r = -ENOMEM;
                }
        }
        journal_suggestions_free(old, n_old);
        if (r < 0)
                return r;
        json_t *doc = json_pack("{s:i, s:s, s:O}", "format", 1, "unit", unit, "suggestions", list);
        text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
        json_decref(doc);
        if (!text || !(text = realloc(text, strlen(text) + 2)))
                return -ENOMEM;
        strcat(text, "\n");
        _cleanup_close_ int root_fd = open_root(root_dir);
        if (root_fd < 0)
                return root_fd;
        return write_atomic_at(root_fd, TRY_SUGGEST_DIR, path + strlen(TRY_SUGGEST_DIR "/"), text);
}

int try_suggest_take(const char *root_dir, const char *unit, ConfineSettings *settings, char ***accepted,
                     char **reterr) {
        JournalSuggestion *s = NULL;
        size_t n = 0;
        int r = try_suggest_load(root_dir, unit, &s, &n);
        if (r == -ENOENT)
                return 0;
        if (r < 0) {
                (void)asprintf(reterr,
                               "cannot read the suggestions of the rolled-back try in /" TRY_SUGGEST_DIR
                               "/%s.json: %s. Remove the file, or try again without --suggested",
                               unit, r == -EBADMSG ? "it is not a file sdconfine wrote" : error_words(-r));
                return r;
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                char *line;
                if (strv_contains(settings->paths, s[i].path) || strv_contains(settings->writable, s[i].path))
                        continue;
                r = strv_extend(s[i].writable ? &settings->writable : &settings->paths, s[i].path);
                if (r >= 0 && asprintf(&line, "%s %s: suggested by the rolled-back try: %s",
                                       s[i].writable ? "--writable" : "--path", s[i].path, s[i].line) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = strv_push(accepted, line);
        }
        journal_suggestions_free(s, n);
        return r;
}
