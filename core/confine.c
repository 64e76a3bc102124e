/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdarg.h>

#include "caps.h"
#include "confine.h"
#include "host-view.h"
#include "root-skeleton.h"
#include "macro.h"

/* a warning is a sentence with the one detail that varies put in at "%s" */
static int add_warning(MountPlan *p, const char *sentence, const char *detail) {
        const char *at = strstr(sentence, "%s");
        char *w;
        if (asprintf(&w, "%.*s%s%s", at ? (int)(at - sentence) : (int)strlen(sentence), sentence,
                     at ? detail : "", at ? at + 2 : "") < 0)
                return -ENOMEM;
        return strv_push(&p->warnings, w);
}

int confine_check_conflicts(const Service *svc, const ConfineSettings *s, bool force, MountPlan *p,
                            char **reterr) {
        int r = 0;
        if (svc->environment_problem && (r = add_warning(p, "%s.", svc->environment_problem)) < 0)
                return r;
        if (svc->root_directory_start_only) {
                if (reterr)
                        (void)asprintf(
                                reterr,
                                "%s sets RootDirectoryStartOnly=yes: the root would apply to ExecStart= "
                                "only, but bind mounts cannot be limited to it. Remove that setting first",
                                svc->id);
                return -EPERM;
        }
        /* our own drop-in sets RootDirectory= too: that one is no conflict */
        bool ours = false;
        for (char **d = svc->dropin_paths; d && *d; d++)
                ours = ours || (strrchr(*d, '/') && streq(strrchr(*d, '/') + 1, "50-confinement.conf"));
        bool own_root = ours && svc->root_directory && !svc->root_image &&
                        (startswith(svc->root_directory, "/run/confinement/") ||
                         startswith(svc->root_directory, "/run/private/confinement/") ||
                         startswith(svc->root_directory, HOST_VIEW_DIR ROOT_SKELETON_DIR "/"));
        if ((svc->root_directory || svc->root_image) && !own_root && !force) {
                if (reterr)
                        (void)asprintf(reterr,
                                       "%s already sets %s=%s (another drop-in or the unit). Confining it "
                                       "would replace that root; use --force to do it anyway",
                                       svc->id, svc->root_directory ? "RootDirectory" : "RootImage",
                                       svc->root_directory ? svc->root_directory : svc->root_image);
                return -EPERM;
        }
        /* systemd 252 keeps a DynamicUser= service's preserved runtime directories (ours included) in
         * /run/private and leaves a symlink in /run, which cannot be a RootDirectory= (226/NAMESPACE) */
        if (svc->dynamic_user && svc->runtime_directory_preserve &&
            !streq(svc->runtime_directory_preserve, "no")) {
                p->private_root = true;
                r = add_warning(
                        p,
                        "DynamicUser=yes with RuntimeDirectoryPreserve=%s: systemd keeps runtime directories "
                        "below /run/private, so the root is /run/private/confinement/UNIT.",
                        svc->runtime_directory_preserve);
                if (r < 0)
                        return r;
        }
        /* the unit's own runtime directories (ours read back from an installed drop-in left out) */
        for (char **d = svc->runtime_directory; d && *d && r >= 0; d++)
                if (!startswith(*d, "confinement/"))
                        r = strv_extend(&p->runtime_dirs, *d);
        /* systemd reads a forking daemon's PID file from outside the root; one the daemon writes in the
         * root's /run is read from the root's /run on the host. Below a runtime directory of its own,
         * which systemd binds from the host, nothing changes. */
        const char *pid_rest = !svc->pid_file                           ? NULL
                               : startswith(svc->pid_file, "/run/")     ? svc->pid_file + 5
                               : startswith(svc->pid_file, "/var/run/") ? svc->pid_file + 9
                                                                        : NULL;
        bool own_dir = false;
        for (char **d = p->runtime_dirs; d && *d && pid_rest; d++) {
                size_t n = strcspn(*d, ":");
                own_dir = own_dir || (strncmp(pid_rest, *d, n) == 0 && pid_rest[n] == '/');
        }
        if (r >= 0 && pid_rest && *pid_rest && !own_dir && streq_ptr(svc->type, "forking")) {
                r = add_warning(
                        p,
                        "PIDFile=%s: systemd reads it from outside the root, and the daemon writes it "
                        "in the root's private /run, which is /run/confinement/UNIT/run on the host; "
                        "PIDFile= points there.",
                        svc->pid_file);
                if (r >= 0 && !(p->pid_file = strdup(pid_rest)))
                        r = -ENOMEM;
        }
        bool root_user = !svc->user || streq(svc->user, "root") || streq(svc->user, "0");
        bool private_users = s->mode == CONFINE_FULL_APIVFS;
        for (char **o = s->overrides; o && *o; o++)
                if (startswith(*o, "PrivateUsers="))
                        private_users =
                                strcmp(*o, "PrivateUsers=no") != 0 && strcmp(*o, "PrivateUsers=false") != 0;
        if (r >= 0 && root_user && private_users && !svc->dynamic_user)
                r = add_warning(
                        p,
                        "%s runs as root under PrivateUsers=yes: a daemon that switches users itself "
                        "(chown to its worker user) fails with EINVAL. Add --set PrivateUsers=no if it does.",
                        svc->id);
        if (r >= 0 && svc->protect_system && !streq(svc->protect_system, "no"))
                r = add_warning(p,
                                "ProtectSystem=%s applies inside the root too: it only makes the bound paths "
                                "read-only, which they are already.",
                                svc->protect_system);
        if (r >= 0 && svc->dynamic_user)
                r = add_warning(
                        p,
                        "DynamicUser=%s: systemd binds its state, cache and logs directories into the "
                        "root itself.",
                        "yes");
        return r;
}

int confine_note_privileged(const Closure *c, const ConfineSettings *s, MountPlan *p) {
        for (size_t i = 0; i < closure_n_nodes(c); i++) {
                const ClosureNode *n = closure_node(c, i);
                if (!n->caps && !(n->mode & (S_ISUID | S_ISGID)))
                        continue;
                char *w;
                bool userns =
                        s->mode == CONFINE_FULL_APIVFS && !strv_contains(s->overrides, "PrivateUsers=no");
                if (asprintf(&w, "%s carries %s%s%s%s: %s NoNewPrivileges=yes makes the kernel ignore them.",
                             n->path, n->caps ? n->caps : "",
                             n->caps && (n->mode & (S_ISUID | S_ISGID)) ? " and " : "",
                             n->mode & S_ISUID ? "the setuid bit" : "",
                             !(n->mode & S_ISUID) && (n->mode & S_ISGID) ? "the setgid bit" : "",
                             userns ? "under PrivateUsers=yes they grant nothing outside the service's user "
                                      "namespace;"
                                    : "they still grant their privileges in the root;") < 0 ||
                    strv_push(&p->warnings, w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

const ConfineEscapeCap confine_escape_caps[] = {
        {21, "CAP_SYS_ADMIN",
         "mount a fresh procfs and read /proc/1/root, setns() into another mount namespace"},
        {2, "CAP_DAC_READ_SEARCH",
         "open_by_handle_at() on the file system of any bound file (the shocker escape)"},
        {19, "CAP_SYS_PTRACE", "/proc/PID/root and /proc/PID/cwd of a process outside, or ptrace it"},
        {16, "CAP_SYS_MODULE", "load a kernel module"},
        {17, "CAP_SYS_RAWIO", "raw I/O on devices and memory"},
        {27, "CAP_MKNOD", "mknod the host's disk and read it raw"},
        {22, "CAP_SYS_BOOT", "kexec another kernel"},
        {39, "CAP_BPF", "BPF programs that read kernel memory"},
        {38, "CAP_PERFMON", "perf events that read other processes"},
        {18, "CAP_SYS_CHROOT",
         "chroot() out of a directory (held here only because the root is its mount namespace's "
         "own root, which tests/escape.sh checks)"},
        {},
};

static int note(MountPlan *p, const char *fmt, ...) _printf_(2, 3);
static int note(MountPlan *p, const char *fmt, ...) {
        va_list ap;
        char *w;
        va_start(ap, fmt);
        int r = vasprintf(&w, fmt, ap);
        va_end(ap);
        return r < 0 ? -ENOMEM : strv_push(&p->warnings, w);
}

static bool override_sets(const ConfineSettings *s, const char *key, const char **ret_value) {
        bool found = false;
        for (char **o = s->overrides; o && *o; o++) {
                const char *v = startswith(*o, key);
                if (v && *v == '=') {
                        found = true;
                        *ret_value = v + 1;
                }
        }
        return found;
}

int confine_harden(const Service *svc, const ConfineSettings *s, uint64_t file_caps, const char *chroot_by,
                   MountPlan *p) {
        bool root_user =
                !svc->dynamic_user && (!svc->user || streq(svc->user, "root") || streq(svc->user, "0"));
        const char *v = NULL;
        bool userns = s->mode == CONFINE_FULL_APIVFS;
        if (override_sets(s, "PrivateUsers", &v))
                userns = userns && !streq(v, "no") && !streq(v, "false") && !streq(v, "0");
        p->host_root = root_user && !userns;
        if (!root_user) {
                return note(p,
                            "It runs as %s, not root%s: the root holds against it (files of the closure with "
                            "set-id "
                            "bits or capabilities are noted above).",
                            svc->dynamic_user ? "a dynamic user" : svc->user,
                            userns ? ", in a user namespace of its own" : "");
        }
        if (!p->host_root) {
                return note(p, "It runs as root in a user namespace of its own (PrivateUsers=yes): root "
                               "there has no "
                               "power over the host's files, and the root holds against it.");
        }
        /* root in the host's user namespace: what it needs, never what leaves the root */
        uint64_t forbidden = 0;
        for (const ConfineEscapeCap *e = confine_escape_caps; e->name; e++)
                forbidden |= UINT64_C(1) << e->cap;
        uint64_t keep_chroot = chroot_by ? UINT64_C(1) << 18 : 0;
        uint64_t own = svc->capability_bounding_set ? svc->capability_bounding_set : UINT64_MAX;
        p->bounding = (CONFINE_ROOT_CAPS | svc->ambient_capabilities | file_caps | keep_chroot) &
                      ~(forbidden & ~keep_chroot) & own;
        int r = 0;
        if (chroot_by && !s->capabilities)
                r = note(p,
                         "%s calls chroot(2) (privilege separation): CAP_SYS_CHROOT is kept. "
                         "The chroot walk out of this root is blocked because the root is "
                         "the mount namespace's own root.",
                         chroot_by);
        /* what the operator gives back, in words */
        uint64_t given = 0;
        if (s->capabilities)
                for (char **c = s->capabilities; *c; c++) {
                        unsigned cap;
                        if (caps_from_name(*c, &cap) >= 0 && cap < 64)
                                given |= UINT64_C(1) << cap;
                }
        if (override_sets(s, "CapabilityBoundingSet", &v)) {
                uint64_t m = 0;
                _cleanup_free_ char *bad = NULL;
                given |= !*v                                               ? forbidden
                         : caps_parse_list(v + (*v == '~'), &m, &bad) >= 0 ? (*v == '~' ? ~m : m)
                                                                           : 0;
        }
        if (override_sets(s, "AmbientCapabilities", &v)) {
                uint64_t m = 0;
                _cleanup_free_ char *bad = NULL;
                if (caps_parse_list(v, &m, &bad) >= 0)
                        given |= m;
        }
        bool holds = true;
        for (const ConfineEscapeCap *e = confine_escape_caps; e->name && r >= 0; e++)
                if ((given & (UINT64_C(1) << e->cap)) && !(e->cap == 18 && chroot_by)) {
                        holds = false;
                        r = note(p,
                                 "A root process can leave this root with %s: %s. Remove it "
                                 "from --capabilities/--set unless the service cannot run "
                                 "without it.",
                                 e->name, e->way);
                }
        if (r >= 0 && override_sets(s, "SystemCallFilter", &v) && !*v) {
                holds = false;
                r = note(p, "A root process can leave this root when --set SystemCallFilter= "
                            "resets the filter: mount, open_by_handle_at and setns are allowed "
                            "again.");
        }
        if (r >= 0)
                r = note(
                        p, "It runs as root in the host's user namespace (%s): %s%s",
                        s->mode == CONFINE_CHROOT_ONLY ? "chroot-only" : "PrivateUsers=no",
                        holds ? "the root holds against it through a capability bounding set without "
                                "CAP_SYS_ADMIN, "
                                "CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE, CAP_MKNOD and the rest that leave a "
                                "root, and a "
                                "system call filter (mount, open_by_handle_at, setns, ptrace, kexec, modules)"
                              : "the root does NOT hold against it (see above).",
                        !holds                           ? ""
                        : s->mode == CONFINE_FULL_APIVFS ? ", and ProtectProc=invisible."
                                                         : ".");
        return r;
}

int confine_suggest_user(const Service *svc, const char *user, const char *where, uint64_t bounding,
                         MountPlan *p) {
        if (!user || !p->host_root)
                return 0;
        /* what a daemon that no longer starts as root still needs: low ports, and its own capabilities */
        uint64_t need = (UINT64_C(1) << 10) | svc->ambient_capabilities;
        _cleanup_free_ char *names = NULL;
        int r = caps_mask_to_names(need & (bounding ? bounding : UINT64_MAX), &names);
        if (r < 0)
                return r;
        return note(p,
                    "Suggestion: its configuration names the user %s (%s). Started as that user "
                    "(--set User=%s --set AmbientCapabilities=%s), it could keep PrivateUsers=yes, the user "
                    "namespace that holds root in; check that it needs no root to start (PID files, ports, "
                    "its own privilege drop).",
                    user, where, user, names);
}
