/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <ctype.h>

#include "interp-perl.h"
#include "interp-util.h"
#include "macro.h"

/* Perl 5 as Debian builds it: @INC from what is installed below the root, the use/no/require statements of
 * a file read by a small lexer that knows Perl's strings, regexes, heredocs and POD well enough not to take
 * their text for code, and modules found as require finds them (Foo/Bar.pm on @INC) with what XSLoader,
 * DynaLoader and AutoLoader open for them (auto/Foo/Bar/). Never runs perl. */

/* "5.36.0" and the like */
static bool is_version(const char *s, unsigned parts) {
        unsigned n = 0;
        for (const char *p = s;; p++) {
                if (!isdigit((unsigned char)*p))
                        return false;
                p += strspn(p, "0123456789");
                n++;
                if (!*p)
                        return n == parts;
                if (*p != '.')
                        return false;
        }
}

static bool perl_matches(const char *real) {
        const char *base = strrchr(real, '/');
        base = base ? base + 1 : real;
        const char *v = startswith(base, "perl");
        return v && (!*v || (v[0] == '5' && strspn(v, "0123456789.") == strlen(v)));
}

/* Compare "5.36.0" with "5.8.9" numerically. */
static int version_cmp(const char *a, const char *b) {
        while (*a || *b) {
                long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);
                if (x != y)
                        return x < y ? -1 : 1;
                a += *a == '.';
                b += *b == '.';
        }
        return 0;
}

/* The multiarch tuple (the directory below /usr/lib holding perl-base) and the version ("5.36.0": the
 * interpreter's own name when it has one, else the highest installed). */
static int perl_layout(FsRoot *root, const char *real, char triplet[static 256], char version[static 64]) {
        _cleanup_(closedirp) DIR *d = fs_root_opendir(root, "/usr/lib");
        const char *base = strrchr(real, '/');
        const char *own = startswith(base ? base + 1 : real, "perl");

        triplet[0] = version[0] = 0;
        for (struct dirent *de; d && (de = readdir(d));) {
                char p[PATH_MAX];
                if (de->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof p, "/usr/lib/%s/perl-base", de->d_name);
                if (!interp_is_a(root, p, S_IFDIR))
                        continue;
                snprintf(p, sizeof p, "/usr/lib/%s/perl", de->d_name);
                _cleanup_(closedirp) DIR *v = fs_root_opendir(root, p);
                for (struct dirent *ve; v && (ve = readdir(v));)
                        if (is_version(ve->d_name, 3) &&
                            (!version[0] || version_cmp(ve->d_name, version) > 0)) {
                                snprintf(version, 64, "%.63s", ve->d_name);
                                snprintf(triplet, 256, "%.255s", de->d_name);
                        }
                if (!triplet[0])
                        snprintf(triplet, 256, "%s", de->d_name);
        }
        if (own && is_version(own, 3))
                snprintf(version, 64, "%s", own);
        return triplet[0] && version[0] ? 0 : -ENOENT;
}

static int perl_search_path(FsRoot *root, const char *real, const char *script, char ***ret) {
        _cleanup_(slist_done) SList s = {};
        char t[256], ver[64], mm[64], p[PATH_MAX];
        int r;

        r = perl_layout(root, real, t, ver);
        if (r < 0)
                return r;
        snprintf(mm, sizeof mm, "%.*s", (int)(strrchr(ver, '.') - ver), ver);
        /* Debian's perl -V: @INC, in order (PERL5LIB and "use lib" come in front) */
        const char *const dirs[][4] = {
                {"/etc/perl", "", "", ""},
                {"/usr/local/lib/", t, "/perl/", ver},
                {"/usr/local/share/perl/", ver, "", ""},
                {"/usr/lib/", t, "/perl5/", mm},
                {"/usr/share/perl5", "", "", ""},
                {"/usr/lib/", t, "/perl-base", ""},
                {"/usr/lib/", t, "/perl/", mm},
                {"/usr/share/perl/", mm, "", ""},
                {"/usr/local/lib/site_perl", "", "", ""},
        };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(p, sizeof p, "%s%s%s%s", dirs[i][0], dirs[i][1], dirs[i][2], dirs[i][3]);
                if (!interp_is_a(root, p, S_IFDIR))
                        continue;
                r = slist_push(&s, strdup(p));
                if (r < 0)
                        return r;
        }
        char **v = slist_take(&s);
        if (!v)
                return -ENOMEM;
        *ret = v;
        return 0;
}

static int perl_startup(FsRoot *root, char *const *search_path, InterpImport **ret, size_t *ret_n) {
        /* Debian's perl is built without sitecustomize.pl and loads nothing before the script */
        *ret = NULL;
        *ret_n = 0;
        return 0;
}

/* ---- finding a module's files ---- */

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What XSLoader, DynaLoader and AutoLoader open for module rel ("Foo/Bar"): the files of auto/Foo/Bar/ in
 * every @INC directory (Bar.so, Bar.bs, autosplit.ix, *.al), sorted. */
static int add_auto(FsRoot *root, char *const *search_path, const char *rel, SList *files) {
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_(slist_done) SList names = {};
                char dir[PATH_MAX];
                snprintf(dir, sizeof dir, "%s/auto/%s", search_path[i], rel);
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
                for (struct dirent *de; d && (de = readdir(d));) {
                        char *p;
                        if (de->d_name[0] == '.')
                                continue;
                        if (asprintf(&p, "%s/%s", dir, de->d_name) < 0)
                                return -ENOMEM;
                        if (!interp_is_a(root, p, S_IFREG)) {
                                free(p);
                                continue;
                        }
                        if (slist_push(&names, p) < 0)
                                return -ENOMEM;
                }
                if (names.n > 0)
                        qsort(names.v, names.n, sizeof(char *), compare_names);
                for (size_t k = 0; k < names.n; k++)
                        if (slist_push(files, TAKE_PTR(names.v[k])) < 0)
                                return -ENOMEM;
        }
        return 0;
}

/* "ns:Foo::Bar": every module Foo::Bar::X of the directories Foo/Bar/ on @INC, as "module:" names. */
static int resolve_namespace(FsRoot *root, char *const *search_path, const char *ns, char ***ret_files,
                             size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *rel = strdup(ns);
        if (!rel)
                return -ENOMEM;
        char *o = rel;
        for (const char *p = ns; *p; p += *p == ':' ? 2 : 1)
                *o++ = *p == ':' ? '/' : *p;
        *o = 0;
        for (size_t i = 0; search_path[i]; i++) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s/%s", search_path[i], rel) < 0)
                        return -ENOMEM;
                _cleanup_(closedirp) DIR *d = fs_root_opendir(root, dir);
                for (struct dirent *de; d && (de = readdir(d));) {
                        size_t n = strlen(de->d_name);
                        char *m;
                        if (n <= 3 || !streq(de->d_name + n - 3, ".pm"))
                                continue;
                        if (asprintf(&m, "module:%s::%.*s", ns, (int)(n - 3), de->d_name) < 0 ||
                            slist_push(&files, m) < 0)
                                return -ENOMEM;
                }
        }
        return interp_take_modules(&files, ret_files, ret_source_index);
}

static int perl_resolve(FsRoot *root, char *const *search_path, const char *name, char ***ret_files,
                        size_t *ret_source_index) {
        _cleanup_(slist_done) SList files = {};
        _cleanup_free_ char *rel = NULL;
        bool module = !strchr(name, '/') && !strchr(name, '.');
        int r;

        if (startswith(name, "ns:"))
                return resolve_namespace(root, search_path, name + 3, ret_files, ret_source_index);

        if (module) {
                if (!perl_is_module_name(name, strlen(name)))
                        return -ENOENT;
                rel = strdup(name);
                if (!rel)
                        return -ENOMEM;
                char *o = rel;
                for (const char *p = name; *p; p += *p == ':' ? 2 : 1)
                        *o++ = *p == ':' ? '/' : *p; /* Foo::Bar -> Foo/Bar */
                *o = 0;
        } else if (name[0] == '/') {
                if (!interp_is_a(root, name, S_IFREG))
                        return -ENOENT;
                r = slist_push(&files, strdup(name));
                if (r < 0)
                        return r;
        } else if (startswith(name, "./") || startswith(name, "../"))
                return -ENOENT; /* relative to the working directory, which we do not know */

        /* require looks for Foo/Bar.pmc before Foo/Bar.pm in each directory */
        for (size_t i = 0; files.n == 0 && search_path[i]; i++)
                for (unsigned c = module ? 0 : 2; c < 3 && files.n == 0; c++) {
                        char *p;
                        if (asprintf(&p, "%s/%s%s", search_path[i], module ? rel : name,
                                     c == 0   ? ".pmc"
                                     : c == 1 ? ".pm"
                                              : "") < 0)
                                return -ENOMEM;
                        if (!interp_is_a(root, p, S_IFREG)) {
                                free(p);
                                continue;
                        }
                        r = slist_push(&files, p);
                        if (r < 0)
                                return r;
                }
        if (files.n == 0)
                return -ENOENT;
        if (module) {
                r = add_auto(root, search_path, rel, &files);
                if (r < 0)
                        return r;
        }
        char **v = slist_take(&files);
        if (!v)
                return -ENOMEM;
        *ret_files = v;
        *ret_source_index = 0;
        return 0;
}

const Interpreter interp_perl = {
        .name = "perl",
        .matches = perl_matches,
        .search_path = perl_search_path,
        .startup = perl_startup,
        .scan = perl_scan,
        .resolve = perl_resolve,
};
