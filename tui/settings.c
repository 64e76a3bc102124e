/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

/* The settings view: one line per setting with the key that changes it, the plan's summary, the
 * suggestions and the notes. */

#include "curses-load.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "caps.h"
#include "keys.h"
#include "macro.h"
#include "override-check.h"

#define LIST_ITEM "       - "

_printf_(2, 3) static void add(char ***l, const char *fmt, ...) {
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        (void)strv_extend(l, buf);
}

static void add_list(char ***l, const char *key, const char *label, char *const *v) {
        add(l, "%-4s %-18s %s", key, label, strv_length(v) ? "" : "(none)");
        for (size_t k = 0; v && v[k]; k++)
                add(l, LIST_ITEM "%s", v[k]);
}

static void add_capabilities(App *a, char ***l) {
        if (a->settings.capabilities) {
                add_list(l, "c", "Capabilities", a->settings.capabilities);
                return;
        }
        _cleanup_free_ char *own = NULL;
        uint64_t all = caps_last_cap() >= 63 ? UINT64_MAX : (UINT64_C(1) << (caps_last_cap() + 1)) - 1;
        if (a->res.svc && (a->res.svc->capability_bounding_set & all) != all)
                (void)caps_mask_to_names(a->res.svc->capability_bounding_set & all, &own);
        add(l, "%-4s %-18s %s%s", "c", "Capabilities", "the unit's own: ", own ? own : "all");
}

/* A long text (core's error) on as many lines as it takes, cut at spaces: readable whole. */
static void add_wrapped(char ***l, const char *first, const char *indent, const char *text) {
        int width = COLS > 20 ? COLS - 2 : 78;
        char line[2048];
        snprintf(line, sizeof line, "%s", first);
        for (const char *p = text; *p;) {
                size_t used = strlen(line), room = width > (int)used ? width - used : 1;
                size_t n = strlen(p);
                if (n > room) {
                        n = room;
                        while (n > 0 && p[n] != ' ')
                                n--;
                        if (n == 0)
                                n = room;
                }
                snprintf(line + used, sizeof line - used, "%.*s", (int)n, p);
                (void)strv_extend(l, line);
                p += n;
                p += strspn(p, " ");
                snprintf(line, sizeof line, "%s", indent);
        }
}

/* X: the exposure measured for these settings, or how to measure it */
static void add_exposure(App *a, char ***l) {
        if (!a->exposure) {
                add(l, "%-4s %-18s %s", "X", "Exposure",
                    "X measures it (systemd-analyze security, files seen)");
                return;
        }
        add(l, "%-4s %-18s", "X", "Exposure");
        for (char **e = a->exposure; *e; e++)
                add_wrapped(l, "       ", "         ", *e);
}

/* What the plan says: its size, the suggestions (a heading only over some), the notes. */
static void add_plan(App *a, char ***l) {
        size_t n_notes = strv_length(a->res.plan.warnings);
        if (a->res_r >= 0) {
                if (n_notes) /* the notes come last: their count where it is seen */
                        add(l, "%zu bind mounts; %zu note%s at the end (G)", a->res.plan.n_binds, n_notes,
                            n_notes == 1 ? "" : "s");
                else
                        add(l, "%zu bind mounts", a->res.plan.n_binds);
                if (a->res.plan.coalesced_dirs)
                        add(l, "  %zu directories bound whole, exposing %zu more files",
                            a->res.plan.coalesced_dirs, a->res.plan.exposed_files);
                add_exposure(a, l);
        } else
                add_wrapped(l, "Cannot confine: ", "  ",
                            a->res.error ? a->res.error : error_words(-a->res_r));
        if (a->res.n_suggestions || a->res.plan.suggestions) {
                add(l, "%s", "");
                add(l, "Suggestions%s:", a->res.n_suggestions ? " (S accepts all)" : "");
        }
        for (size_t i = 0; i < a->res.n_suggestions; i++) {
                const Suggestion *s = a->res.suggestions + i;
                add(l, "  %s%s: %s", s->preset ? "preset " : "set ", s->preset ? s->preset : s->override,
                    s->reason);
        }
        for (char **sg = a->res.plan.suggestions; sg && *sg; sg++)
                add(l, "  %s is named in an Exec* line: add it with a if needed", *sg);
        if (n_notes) {
                add(l, "%s", "");
                add(l, "Notes (%zu):", n_notes);
                for (char **w = a->res.plan.warnings; *w; w++)
                        add(l, "  %s", *w);
        }
}

char **settings_lines(App *a) {
        char **l = NULL;
        const ConfineSettings *s = &a->settings;
        add(&l, "%-4s %-18s [%s]", "Spc", "Confine", a->enabled ? "x" : " ");
        add(&l, "%-4s %-18s %s", "m", "Mode", confine_mode_to_string(s->mode));
        add(&l, "%-4s %-18s %s", "b", "/bin/sh",
            s->bin_sh == BIN_SH_NONE     ? "none"
            : s->bin_sh == BIN_SH_CUSTOM ? s->bin_sh_path
                                         : "default (the host's, real file)");
        add(&l, "%-4s %-18s %s", "f", "Full unit", s->full_unit ? "yes" : "no");
        add_list(&l, "p", "Packages", s->packages);
        add_list(&l, "a", "Read-only paths", s->paths);
        add_list(&l, "W", "Writable paths", s->writable);
        add_list(&l, "P", "Presets", s->presets);
        add_list(&l, "o", "Overrides", s->overrides);
        add_capabilities(a, &l);
        add(&l, "%-4s %-18s %u", "+/-", "Mount budget", s->mount_budget);
        /* before the plan, whose notes may run past the screen */
        if (a->readonly)
                add(&l, "Read-only session, e still exports: %s.", a->readonly_why);
        add(&l, "%s", "");
        add_plan(a, &l);
        return l;
}

/* The preset names, from core's table: for Tab and for the words of the prompt. */
static char *const *preset_names(void) {
        static char *names[32];
        if (!names[0])
                for (size_t i = 0; confine_presets[i].name && i + 1 < ELEMENTSOF(names); i++)
                        names[i] = (char *)confine_presets[i].name;
        return names;
}

static void preset_words(char *buf, size_t size) {
        size_t n = 0;
        buf[0] = 0;
        for (char *const *p = preset_names(); *p && n < size; p++)
                n += snprintf(buf + n, size - n, "%s%s", n ? " " : "", *p);
}

static int list_add(App *a, char ***list, const char *text, char *err, size_t errsize) {
        if (!text[0])
                return 0;
        if (list == &a->settings.presets && !confine_preset_find(text)) {
                char words[256];
                preset_words(words, sizeof words);
                snprintf(err, errsize, "Unknown preset '%s': %s.", text, words);
                return -EINVAL;
        }
        if ((list == &a->settings.paths || list == &a->settings.writable) && text[0] != '/') {
                snprintf(err, errsize, "%s: give an absolute path.", text);
                return -EINVAL;
        }
        if (!strv_contains(*list, text))
                (void)strv_extend(list, text);
        service_changed(a);
        return 0;
}

static int packages_done(App *a, const char *t, char *err, size_t size) {
        return list_add(a, &a->settings.packages, t, err, size);
}
static int paths_done(App *a, const char *t, char *err, size_t size) {
        return list_add(a, &a->settings.paths, t, err, size);
}
static int writable_done(App *a, const char *t, char *err, size_t size) {
        return list_add(a, &a->settings.writable, t, err, size);
}
static int presets_done(App *a, const char *t, char *err, size_t size) {
        return list_add(a, &a->settings.presets, t, err, size);
}
/* the command line's rules for --set: refused at the prompt, with the reason, the prompt kept open */
static int overrides_done(App *a, const char *t, char *err, size_t size) {
        _cleanup_free_ char *why = NULL;
        if (!t[0])
                return 0;
        int r = override_check(t, &why);
        if (r == -EINVAL)
                snprintf(err, size, "%s: give KEY=VALUE, e.g. PrivateUsers=no.", t);
        else if (r < 0) { /* core says "--set KEY= is refused: ..."; here it is the prompt, not --set */
                const char *w = why && startswith(why, "--set ") ? why + strlen("--set ") : why;
                snprintf(err, size, "%s.", w ? w : error_words(-r));
        }
        if (r < 0)
                return r;
        return list_add(a, &a->settings.overrides, t, err, size);
}

static int bin_sh_done(App *a, const char *text, char *err, size_t errsize) {
        if (text[0] && !streq(text, "none") && text[0] != '/') {
                snprintf(err, errsize, "%s: give an absolute path, 'none', or nothing for the default.",
                         text);
                return -EINVAL;
        }
        free(a->settings.bin_sh_path);
        a->settings.bin_sh_path = NULL;
        a->settings.bin_sh = !text[0] ? BIN_SH_DEFAULT : streq(text, "none") ? BIN_SH_NONE : BIN_SH_CUSTOM;
        if (a->settings.bin_sh == BIN_SH_CUSTOM)
                a->settings.bin_sh_path = strdup(text);
        service_changed(a);
        return 0;
}

static void settings_prompt(App *a, int ch) {
        static const LineEditOps packages = {.done = packages_done}, paths = {.done = paths_done},
                                 writable = {.done = writable_done}, presets = {.done = presets_done},
                                 overrides = {.done = overrides_done}, bin_sh = {.done = bin_sh_done};
        char q[256], words[200];
        switch (ch) {
        case 'b':
                (void)line_edit_open(a, &bin_sh, LINE_EDIT_PATH_EXIST,
                                     "/bin/sh: a program's path, 'none', or empty for the default:", "",
                                     NULL);
                break;
        case 'p':
                if (!a->packages && a->db)
                        (void)dpkg_db_list_packages(a->db, &a->packages);
                (void)line_edit_open(a, &packages, LINE_EDIT_TEXT, "Package (Tab completes):", "",
                                     a->packages);
                break;
        case 'a':
                (void)line_edit_open(a, &paths, LINE_EDIT_PATH_EXIST, "Read-only path:", "", NULL);
                break;
        case 'W':
                (void)line_edit_open(a, &writable, LINE_EDIT_PATH_EXIST, "Writable path:", "", NULL);
                break;
        case 'P':
                preset_words(words, sizeof words);
                snprintf(q, sizeof q, "Preset (%s; Tab):", words);
                (void)line_edit_open(a, &presets, LINE_EDIT_TEXT, q, "", preset_names());
                break;
        case 'o':
                (void)line_edit_open(a, &overrides, LINE_EDIT_TEXT,
                                     "Override KEY=VALUE (e.g. PrivateUsers=no):", "", NULL);
                break;
        }
}

/* x on a list entry removes it */
static void remove_selected(App *a) {
        _cleanup_(strv_freep) char **lines = settings_lines(a);
        size_t sel = a->vsel[VIEW_SETTINGS];
        const char *v = sel < strv_length(lines) ? startswith(lines[sel], LIST_ITEM) : NULL;
        char ***lists[] = {&a->settings.packages, &a->settings.paths, &a->settings.writable,
                           &a->settings.presets, &a->settings.overrides};
        for (size_t k = 0; v && k < ELEMENTSOF(lists); k++) {
                char **l = *lists[k];
                size_t n = strv_length(l);
                for (size_t i = 0; i < n; i++)
                        if (streq(l[i], v)) {
                                free(l[i]);
                                memmove(l + i, l + i + 1, (n - i) * sizeof(char *));
                                service_changed(a);
                                return;
                        }
        }
}

static void accept_suggestions(App *a) {
        for (size_t i = 0; i < a->res.n_suggestions; i++) {
                const Suggestion *s = a->res.suggestions + i;
                char ***list = s->preset ? &a->settings.presets : &a->settings.overrides;
                const char *what = s->preset ? s->preset : s->override;
                if (!strv_contains(*list, what))
                        (void)strv_extend(list, what);
        }
}

void settings_key(App *a, int ch) {
        ConfineSettings *s = &a->settings;
        switch (ch) {
        case ' ':
                a->enabled = !a->enabled;
                set_message(a, false,
                            a->enabled ? "Confinement on: w writes the drop-in."
                                       : "Confinement off: w removes the drop-in.");
                return;
        case 'm':
                s->mode = s->mode == CONFINE_FULL_APIVFS ? CONFINE_CHROOT_ONLY : CONFINE_FULL_APIVFS;
                break;
        case 'f':
                s->full_unit = !s->full_unit;
                break;
        case 'c':
                capabilities_open(a);
                return;
        case 'x':
                remove_selected(a);
                return;
        case 'X':
                exposure_measure(a);
                return;
        case '+':
                s->mount_budget = s->mount_budget < 100000 ? s->mount_budget + 10 : 100000;
                break;
        case '-':
                s->mount_budget = s->mount_budget > 10 ? s->mount_budget - 10 : 1;
                break;
        case 'S':
                accept_suggestions(a);
                break;
        default:
                settings_prompt(a, ch);
                return;
        }
        service_changed(a);
}
