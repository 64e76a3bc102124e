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
                /* without libsystemd no manager can be asked: say why, and what to install */
                if (r == -EOPNOTSUPP && manager_library_error())
                        (void)asprintf(
                                &s.notice,
                                "cannot ask the %s service manager: %s; reading the unit files on disk",
                                o->user ? "user" : "system", manager_library_error());
                else
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

/* The unit files, also when the manager answers (templates, the unit without our drop-in). */
static int open_index(ServiceSource *s, const char *name, char **ret_error) {
        if (s->index)
                return 0;
        int k = s->root ? 0 : fs_root_new(s->root_dir, &s->root);
        if (k >= 0)
                k = unit_index_new(s->root, s->user ? UNIT_SCOPE_USER : UNIT_SCOPE_SYSTEM, getenv("HOME"),
                                   getenv("XDG_RUNTIME_DIR"), &s->index);
        if (k < 0)
                (void)asprintf(ret_error, "cannot read the unit files for %s: %s", name, error_words(-k));
        return k;
}

static int check_name(const char *name, char **ret_error) {
        const char *problem = unit_name_problem(name);
        if (problem) {
                (void)asprintf(ret_error, "'%s' is not a valid unit name: %s", name, problem);
                return -EINVAL;
        }
        if (!unit_name_suffix(name) || !streq(unit_name_suffix(name), "service")) {
                (void)asprintf(ret_error, "'%s' is not a service: sdconfine confines .service units", name);
                return -EINVAL;
        }
        return 0;
}

int service_source_load(ServiceSource *s, const char *name, Service **ret, char **ret_error) {
        int r = check_name(name, ret_error);
        if (r < 0)
                return r;
        /* a template is no unit the manager loads: its definition comes from the unit files */
        if (s->manager && unit_name_is_valid(name, UNIT_NAME_TEMPLATE)) {
                int k = open_index(s, name, ret_error);
                if (k < 0)
                        return k;
        }
        bool use_manager = s->manager && !unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
        r = use_manager ? manager_load_service(s->manager, name, ret) : unit_index_load(s->index, name, ret);
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

/* the id first, then its aliases, as the manager's Names */
static int index_names(const UnitIndex *idx, const char *id, char ***ret) {
        _cleanup_(strv_freep) char **aliases = NULL;
        char **names = NULL;
        int r = unit_index_aliases(idx, id, &aliases);
        if (r >= 0)
                r = strv_extend(&names, id);
        for (char **a = aliases; r >= 0 && *a; a++)
                r = strv_extend(&names, *a);
        if (r < 0) {
                strv_free(names);
                return r;
        }
        *ret = names;
        return 0;
}

int service_source_resolve(ServiceSource *s, const char *name, char **ret_id, char ***ret_names,
                           char **ret_error) {
        _cleanup_free_ char *id = NULL;
        char **names = NULL;
        int r = check_name(name, ret_error);
        if (r < 0)
                return r;
        bool use_manager = s->manager && !unit_name_is_valid(name, UNIT_NAME_TEMPLATE);
        if (use_manager)
                r = manager_unit_names(s->manager, name, &id, &names);
        else if ((r = open_index(s, name, ret_error)) < 0)
                return r;
        else if ((r = unit_index_resolve(s->index, name, &id)) >= 0)
                r = index_names(s->index, id, &names);
        if (r < 0) {
                strv_free(names);
                (void)asprintf(ret_error, "cannot resolve %s: %s", name,
                               use_manager && manager_last_error(s->manager) ? manager_last_error(s->manager)
                                                                             : error_words(-r));
                return r;
        }
        *ret_id = TAKE_PTR(id);
        if (ret_names)
                *ret_names = names;
        else
                strv_free(names);
        return 0;
}

int service_source_load_own(ServiceSource *s, const char *name, Service **ret, char **ret_error) {
        _cleanup_free_ char *id = NULL;
        int r = service_source_resolve(s, name, &id, NULL, ret_error);
        if (r < 0 || (r = open_index(s, id, ret_error)) < 0)
                return r;
        r = unit_index_load_flags(s->index, id, UNIT_LOAD_WITHOUT_CONFINEMENT, ret);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot load %s from the unit files: %s", id, error_words(-r));
                return r;
        }
        /* the manager reads EnvironmentFile= on the host; the unit files' root otherwise */
        r = service_load_environment_files(*ret, s->manager ? NULL : s->root);
        if (r < 0) {
                (void)asprintf(ret_error, "cannot read the environment files of %s: %s", id, error_words(-r));
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
