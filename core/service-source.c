/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "confine-plan.h"
#include "env-file.h"
#include "fileio.h"
#include "macro.h"
#include "service-source.h"
#include "unit-name.h"

int service_source_open(const ServiceSourceOptions *o, ServiceSource *ret, char **ret_error) {
        ServiceSource s = {.user = o->user, .root_dir = o->root};
        int r;

        if (!o->root && !o->offline) {
                r = manager_connect(o->user, &s.manager);
                if (r >= 0) {
                        *ret = s;
                        return 0;
                }
                (void)asprintf(&s.notice,
                               "no %s service manager answers (%s); reading the unit files on disk",
                               o->user ? "user" : "system", error_words(-r));
        }
        r = fs_root_new(o->root, &s.root);
        if (r < 0) {
                (void)asprintf(ret_error,
                               "cannot open root directory %s: %s. Give an existing directory to --root",
                               o->root ? o->root : "/", error_words(-r));
                free(s.notice);
                return r;
        }
        const char *home = getenv("HOME"), *rt = getenv("XDG_RUNTIME_DIR");
        r = unit_index_new(s.root, o->user ? UNIT_SCOPE_USER : UNIT_SCOPE_SYSTEM, home, rt, &s.index);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot read the unit directories: %s", error_words(-r));
                free(s.notice);
                fs_root_free(s.root);
                return r;
        }
        *ret = s;
        return 0;
}

void service_source_close(ServiceSource *s) {
        s->manager = manager_free(s->manager);
        s->index = unit_index_free(s->index);
        s->root = fs_root_free(s->root);
        s->notice = mfree_str(s->notice);
}

const char *service_source_name(const ServiceSource *s) {
        return s->manager ? "manager" : "unit files";
}

int service_source_load(ServiceSource *s, const char *name, Service **ret, char **ret_error) {
        const char *problem = unit_name_problem(name);
        if (problem) {
                (void)asprintf(ret_error, "'%s' is not a valid unit name: %s", name, problem);
                return -EINVAL;
        }
        if (!unit_name_suffix(name) || !streq(unit_name_suffix(name), "service")) {
                (void)asprintf(ret_error, "'%s' is not a service: sdconfine confines .service units", name);
                return -EINVAL;
        }
        /* a template is no unit the manager loads: its definition comes from the unit files */
        if (s->manager && unit_name_is_valid(name, UNIT_NAME_TEMPLATE) && !s->index) {
                int k = fs_root_new(s->root_dir, &s->root);
                if (k >= 0)
                        k = unit_index_new(s->root, s->user ? UNIT_SCOPE_USER : UNIT_SCOPE_SYSTEM,
                                           getenv("HOME"), getenv("XDG_RUNTIME_DIR"), &s->index);
                if (k < 0) {
                        (void)asprintf(ret_error, "cannot read the unit files for the template %s: %s", name,
                                       error_words(-k));
                        return k;
                }
        }
        bool use_manager = s->manager && !unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
        int r = use_manager ? manager_load_service(s->manager, name, ret)
                            : unit_index_load(s->index, name, ret);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot load %s from the %s: %s", name,
                               use_manager ? "manager" : "unit files",
                               use_manager && manager_last_error(s->manager) ? manager_last_error(s->manager)
                                                                             : error_words(-r));
                return r;
        }
        /* PATH and LD_LIBRARY_PATH may come from EnvironmentFile=, which the manager reads on the host */
        r = service_load_environment_files(*ret, use_manager ? NULL : s->root);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot read the environment files of %s: %s", name,
                               error_words(-r));
                *ret = service_free(*ret);
        }
        return r;
}

Confinement service_confinement(const Service *s) {
        for (char **d = s->dropin_paths; d && *d; d++) {
                const char *base = strrchr(*d, '/');
                if (base && streq(base + 1, "50-confinement.conf"))
                        return CONFINE_OURS;
        }
        return s->root_directory || s->root_image ? CONFINE_FOREIGN : CONFINE_NONE;
}

int service_add_closure(const Service *s, Closure *c, char **ret_error) {
        ClosureEnv env = {.path = service_getenv(s, "PATH"),
                          .ld_library_path = service_getenv(s, "LD_LIBRARY_PATH")};
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                for (size_t i = 0; i < s->exec[t].n; i++) {
                        const char *path = s->exec[t].items[i].path;
                        _cleanup_free_ char *resolved = NULL;
                        int r = 0;
                        if (path[0] != '/') {
                                r = confine_resolve_bare(closure_root(c), path, &resolved);
                                if (r == -ENOMEM)
                                        return r;
                                if (resolved)
                                        path = resolved;
                        }
                        if (r >= 0)
                                r = closure_add_program(c, path, &env);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0) {
                                if (ret_error &&
                                    asprintf(ret_error, "%s of %s: %s: %s", exec_type_to_string(t), s->id,
                                             path, error_words(-r)) < 0)
                                        return -ENOMEM;
                                return r;
                        }
                }
        return 0;
}
