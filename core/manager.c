/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "dlopen-util.h"
#include "journal.h"
#include "macro.h"
#include "manager.h"

/* libsystemd, opened at the first connect or journal read (batch verbs skip it and the 5 libraries it
 * pulls, gcrypt...): the functions called, each through its pointer sym_NAME */
/* clang-format off */
#define LIBSYSTEMD_SYMBOLS(X) \
        X(sd_bus_call) X(sd_bus_call_method) X(sd_bus_error_free) X(sd_bus_error_has_names_sentinel) \
        X(sd_bus_error_is_set) X(sd_bus_flush_close_unref) X(sd_bus_get_property) \
        X(sd_bus_get_property_string) X(sd_bus_get_property_strv) X(sd_bus_get_property_trivial) \
        X(sd_bus_match_signal) X(sd_bus_message_append_strv) X(sd_bus_message_enter_container) \
        X(sd_bus_message_exit_container) X(sd_bus_message_new_method_call) X(sd_bus_message_read) \
        X(sd_bus_message_read_strv) X(sd_bus_message_skip) X(sd_bus_message_unref) X(sd_bus_new) \
        X(sd_bus_open_system) X(sd_bus_open_user) X(sd_bus_path_encode) X(sd_bus_process) \
        X(sd_bus_set_address) X(sd_bus_slot_unref) X(sd_bus_start) X(sd_bus_unref) X(sd_bus_wait) \
        X(sd_journal_add_disjunction) X(sd_journal_add_match) X(sd_journal_close) X(sd_journal_get_data) \
        X(sd_journal_get_realtime_usec) X(sd_journal_next) X(sd_journal_open) \
        X(sd_journal_seek_realtime_usec)
/* clang-format on */
LIBSYSTEMD_SYMBOLS(DLSYM_DECLARE)
static DlLibrary libsystemd =
        DL_LIBRARY("libsystemd.so.0", "libsystemd0", ((const DlSym[]){LIBSYSTEMD_SYMBOLS(DLSYM_ENTRY){}}));

const char *manager_library_error(void) {
        return dl_library_error(&libsystemd);
}

#define DEST "org.freedesktop.systemd1"
#define PATH "/org/freedesktop/systemd1"
#define IFACE_MANAGER "org.freedesktop.systemd1.Manager"
#define IFACE_UNIT "org.freedesktop.systemd1.Unit"
#define IFACE_SERVICE "org.freedesktop.systemd1.Service"

struct Manager {
        sd_bus *bus;
        char error[512];
};

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        sym_sd_bus_flush_close_unref(m->bus);
        free(m);
        return NULL;
}

const char *manager_last_error(const Manager *m) {
        return m->error[0] ? m->error : NULL;
}

static int keep_error(Manager *m, sd_bus_error *e, int r) {
        if (e && sym_sd_bus_error_is_set(e))
                snprintf(m->error, sizeof m->error, "%s", e->message ? e->message : e->name);
        else
                snprintf(m->error, sizeof m->error, "%s", strerror(-r));
        return r;
}

/* keep the error for manager_last_error() and free it */
static int bus_fail(Manager *m, sd_bus_error *e, int r) {
        keep_error(m, e, r);
        sym_sd_bus_error_free(e);
        return r;
}

static int get_string(Manager *m, const char *path, const char *iface, const char *prop, char **ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *s = NULL;
        int r = sym_sd_bus_get_property_string(m->bus, DEST, path, iface, prop, &e, &s);
        if (r < 0)
                return bus_fail(m, &e, r);
        /* empty strings are "not set", as in the offline model */
        if (s && !*s) {
                free(s);
                s = NULL;
        }
        free(*ret);
        *ret = s;
        return 0;
}

static int connect_private(const char *address, sd_bus **ret) {
        sd_bus *bus = NULL;
        int r = sym_sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sym_sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sym_sd_bus_start(bus);
        if (r < 0) {
                sym_sd_bus_unref(bus);
                return r;
        }
        *ret = bus;
        return 0;
}

int manager_connect(bool user, Manager **ret) {
        char address[4200];
        int r = dl_library_load(&libsystemd);
        if (r < 0)
                return r;
        Manager *m = calloc(1, sizeof(Manager));
        if (!m)
                return -ENOMEM;
        if (!user) {
                /* root talks to PID 1 directly, without dbus-daemon (which may not run) */
                r = geteuid() == 0 ? connect_private("unix:path=/run/systemd/private", &m->bus) : -EPERM;
                if (r < 0)
                        r = sym_sd_bus_open_system(&m->bus);
        } else {
                const char *rt = getenv("XDG_RUNTIME_DIR");
                r = -ENOENT;
                if (rt) {
                        snprintf(address, sizeof address, "unix:path=%s/systemd/private", rt);
                        r = connect_private(address, &m->bus);
                }
                if (r < 0)
                        r = sym_sd_bus_open_user(&m->bus);
        }
        if (r < 0) {
                free(m);
                return r;
        }
        /* a manager that does not answer is no manager: ask something cheap */
        char *version = NULL;
        r = get_string(m, PATH, IFACE_MANAGER, "Version", &version);
        free(version);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        *ret = m;
        return 0;
}

/* Call a Manager method that takes (as states, as patterns) with no states. */
static int call_by_patterns(Manager *m, const char *method, char **patterns, sd_bus_error *e,
                            sd_bus_message **ret) {
        sd_bus_message *call = NULL;
        int r = sym_sd_bus_message_new_method_call(m->bus, &call, DEST, PATH, IFACE_MANAGER, method);
        if (r >= 0)
                r = sym_sd_bus_message_append_strv(call, NULL);
        if (r >= 0)
                r = sym_sd_bus_message_append_strv(call, patterns);
        if (r >= 0)
                r = sym_sd_bus_call(m->bus, call, 0, e, ret);
        sym_sd_bus_message_unref(call);
        return r;
}

int manager_list_services(Manager *m, UnitInfo **ret, size_t *ret_n) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        UnitInfo *units = NULL;
        size_t n = 0, allocated = 0;
        const char *patterns[] = {"*.service", NULL};
        int r;

        r = call_by_patterns(m, "ListUnitsByPatterns", (char **)patterns, &e, &reply);
        if (r < 0)
                goto fail;
        r = sym_sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        while (r >= 0) {
                const char *name, *desc, *load, *active, *sub;
                r = sym_sd_bus_message_read(reply, "(ssssssouso)", &name, &desc, &load, &active, &sub, NULL,
                                            NULL, NULL, NULL, NULL);
                if (r <= 0)
                        break;
                if (!GROW(units, allocated, n + 1)) {
                        r = -ENOMEM;
                        break;
                }
                units[n] = (UnitInfo){strdup(name), strdup(load), strdup(active),
                                      strdup(sub),  strdup(desc), NULL};
                if (!units[n++].sub_state)
                        r = -ENOMEM;
        }
        reply = sym_sd_bus_message_unref(reply);
        if (r < 0)
                goto fail;

        r = call_by_patterns(m, "ListUnitFilesByPatterns", (char **)patterns, &e, &reply);
        if (r < 0)
                goto fail;
        r = sym_sd_bus_message_enter_container(reply, 'a', "(ss)");
        while (r >= 0) {
                const char *path, *state;
                r = sym_sd_bus_message_read(reply, "(ss)", &path, &state);
                if (r <= 0)
                        break;
                const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
                if (streq(state, "alias")) /* a name of another unit: a note on it (Names), not a row */
                        continue;
                UnitInfo *u = unit_info_find(units, n, name);
                if (!u) {
                        if (!GROW(units, allocated, n + 1)) {
                                r = -ENOMEM;
                                break;
                        }
                        u = units + n++;
                        /* not loaded: the manager would load it on demand */
                        *u = (UnitInfo){strdup(name),   strdup("not-loaded"), strdup("inactive"),
                                        strdup("dead"), strdup(""),           NULL};
                }
                free(u->file_state);
                u->file_state = strdup(state);
                if (!u->name || !u->file_state)
                        r = -ENOMEM;
        }
        reply = sym_sd_bus_message_unref(reply);
        if (r < 0)
                goto fail;
        unit_info_sort(units, n);
        *ret = units;
        *ret_n = n;
        return 0;
fail:
        sym_sd_bus_message_unref(reply);
        unit_info_free_many(units, n);
        return bus_fail(m, &e, r);
}

static int get_strv(Manager *m, const char *path, const char *iface, const char *prop, char ***ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char **l = NULL;
        int r = sym_sd_bus_get_property_strv(m->bus, DEST, path, iface, prop, &e, &l);
        if (r < 0)
                return bus_fail(m, &e, r);
        if (l && !l[0])
                l = strv_free(l);
        strv_free(*ret);
        *ret = l;
        return 0;
}

static int get_trivial(Manager *m, const char *path, const char *iface, const char *prop, char type,
                       void *ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = sym_sd_bus_get_property_trivial(m->bus, DEST, path, iface, prop, &e, type, ret);
        return r < 0 ? bus_fail(m, &e, r) : r;
}

static int get_bool(Manager *m, const char *path, const char *prop, bool *ret) {
        int v = 0;
        int r = get_trivial(m, path, IFACE_SERVICE, prop, 'b', &v);
        if (r >= 0)
                *ret = v;
        return r;
}

/* Exec*Ex: a(sasasttttuii): path, argv, flags by name, then run-time fields we skip */
static int get_exec(Manager *m, const char *path, ExecType t, ExecList *list) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char prop[64];
        int r;
        snprintf(prop, sizeof prop, "%sEx", exec_type_to_string(t));
        r = sym_sd_bus_get_property(m->bus, DEST, path, IFACE_SERVICE, prop, &e, &reply, "a(sasasttttuii)");
        if (r < 0)
                goto done;
        r = sym_sd_bus_message_enter_container(reply, 'a', "(sasasttttuii)");
        while (r > 0) {
                const char *p;
                char **argv = NULL, **flags = NULL;
                r = sym_sd_bus_message_enter_container(reply, 'r', "sasasttttuii");
                if (r <= 0)
                        break;
                if ((r = sym_sd_bus_message_read(reply, "s", &p)) < 0 ||
                    (r = sym_sd_bus_message_read_strv(reply, &argv)) < 0 ||
                    (r = sym_sd_bus_message_read_strv(reply, &flags)) < 0 ||
                    (r = sym_sd_bus_message_skip(reply, "ttttuii")) < 0 ||
                    (r = sym_sd_bus_message_exit_container(reply)) < 0) {
                        strv_free(argv);
                        strv_free(flags);
                        break;
                }
                unsigned f = 0;
                for (char **x = flags; x && *x; x++)
                        for (unsigned bit = 1; bit <= EXEC_NO_ENV_EXPAND; bit <<= 1)
                                if (streq_ptr(exec_flag_to_string(bit), *x))
                                        f |= bit;
                strv_free(flags);
                if (!GROW(list->items, list->allocated, list->n + 1)) {
                        strv_free(argv);
                        r = -ENOMEM;
                        break;
                }
                list->items[list->n] = (ExecCommand){.path = strdup(p), .argv = argv, .flags = f};
                if (!list->items[list->n++].path) {
                        r = -ENOMEM;
                        break;
                }
                r = 1;
        }
done:
        sym_sd_bus_message_unref(reply);
        if (r < 0)
                keep_error(m, &e, r);
        sym_sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

static int get_env_files(Manager *m, const char *path, Service *s) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sym_sd_bus_get_property(m->bus, DEST, path, IFACE_SERVICE, "EnvironmentFiles", &e, &reply,
                                        "a(sb)");
        if (r >= 0)
                r = sym_sd_bus_message_enter_container(reply, 'a', "(sb)");
        while (r > 0) {
                const char *p;
                int ignore;
                r = sym_sd_bus_message_read(reply, "(sb)", &p, &ignore);
                if (r <= 0)
                        break;
                EnvFile *nf = realloc(s->environment_files, (s->n_environment_files + 1) * sizeof(EnvFile));
                if (!nf) {
                        r = -ENOMEM;
                        break;
                }
                s->environment_files = nf;
                nf[s->n_environment_files] = (EnvFile){.path = strdup(p), .ignore_missing = ignore};
                if (!nf[s->n_environment_files++].path)
                        r = -ENOMEM;
        }
        sym_sd_bus_message_unref(reply);
        if (r < 0)
                keep_error(m, &e, r);
        sym_sd_bus_error_free(&e);
        return r < 0 ? r : 0;
}

/* LoadUnit: the unit's object path (loading it if it is not) */
static int load_unit_path(Manager *m, const char *name, char **ret) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        const char *object;
        int r = sym_sd_bus_call_method(m->bus, DEST, PATH, IFACE_MANAGER, "LoadUnit", &e, &reply, "s", name);
        if (r < 0)
                return bus_fail(m, &e, r);
        r = sym_sd_bus_message_read(reply, "o", &object);
        char *path = r >= 0 ? strdup(object) : NULL;
        sym_sd_bus_message_unref(reply);
        if (!path)
                return r < 0 ? r : -ENOMEM;
        *ret = path;
        return 0;
}

int manager_unit_names(Manager *m, const char *name, char **ret_id, char ***ret_names) {
        _cleanup_free_ char *path = NULL, *id = NULL;
        char **names = NULL;
        int r = load_unit_path(m, name, &path);
        if (r >= 0)
                r = get_string(m, path, IFACE_UNIT, "Id", &id);
        if (r >= 0 && ret_names)
                r = get_strv(m, path, IFACE_UNIT, "Names", &names);
        if (r < 0)
                return r;
        if (!id && !(id = strdup(name))) {
                strv_free(names);
                return -ENOMEM;
        }
        *ret_id = TAKE_PTR(id);
        if (ret_names)
                *ret_names = names;
        return 0;
}

int manager_load_service(Manager *m, const char *name, Service **ret) {
        _cleanup_free_ char *path = NULL, *id = NULL;
        int r = load_unit_path(m, name, &path);
        if (r < 0)
                return r;
        r = get_string(m, path, IFACE_UNIT, "Id", &id);
        if (r < 0)
                return r;
        Service *s = service_new(id ? id : name);
        if (!s)
                return -ENOMEM;
        if ((r = get_strv(m, path, IFACE_UNIT, "Names", &s->names)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "LoadState", &s->load_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "ActiveState", &s->active_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "SubState", &s->sub_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "Description", &s->description)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "FragmentPath", &s->fragment_path)) < 0 ||
            (r = get_strv(m, path, IFACE_UNIT, "DropInPaths", &s->dropin_paths)) < 0)
                goto fail;
        /* a unit that did not load has no Service interface to ask */
        if (!streq_ptr(s->load_state, "loaded") && !streq_ptr(s->load_state, "bad-setting")) {
                *ret = s;
                return 0;
        }
        for (ExecType t = 0; t < _EXEC_TYPE_MAX; t++)
                if ((r = get_exec(m, path, t, s->exec + t)) < 0)
                        goto fail;
        if ((r = get_strv(m, path, IFACE_SERVICE, "Environment", &s->environment)) < 0 ||
            (r = get_env_files(m, path, s)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "User", &s->user)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "Group", &s->group)) < 0 ||
            (r = get_bool(m, path, "DynamicUser", &s->dynamic_user)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "RuntimeDirectoryPreserve",
                            &s->runtime_directory_preserve)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "Type", &s->type)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "PIDFile", &s->pid_file)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "RootDirectory", &s->root_directory)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "RootImage", &s->root_image)) < 0 ||
            (r = get_bool(m, path, "RootDirectoryStartOnly", &s->root_directory_start_only)) < 0 ||
            (r = get_string(m, path, IFACE_SERVICE, "ProtectSystem", &s->protect_system)) < 0 ||
            (r = get_bool(m, path, "PrivateTmp", &s->private_tmp)) < 0 ||
            (r = get_bool(m, path, "PrivateUsers", &s->private_users)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "ReadWritePaths", &s->read_write_paths)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "StateDirectory", &s->state_directory)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "CacheDirectory", &s->cache_directory)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "LogsDirectory", &s->logs_directory)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "RuntimeDirectory", &s->runtime_directory)) < 0 ||
            (r = get_strv(m, path, IFACE_SERVICE, "ConfigurationDirectory", &s->configuration_directory)) <
                    0 ||
            (r = get_string(m, path, IFACE_SERVICE, "WorkingDirectory", &s->working_directory)) < 0 ||
            (r = get_trivial(m, path, IFACE_SERVICE, "CapabilityBoundingSet", 't',
                             &s->capability_bounding_set)) < 0 ||
            (r = get_trivial(m, path, IFACE_SERVICE, "AmbientCapabilities", 't', &s->ambient_capabilities)) <
                    0)
                goto fail;
        *ret = s;
        return 0;
fail:
        service_free(s);
        return r;
}

int manager_load_summary(Manager *m, const char *name, Service **ret) {
        _cleanup_free_ char *path = NULL;
        int r = sym_sd_bus_path_encode("/org/freedesktop/systemd1/unit", name, &path);
        if (r < 0)
                return r;
        Service *s = service_new(name);
        if (!s)
                return -ENOMEM;
        /* a unit not loaded yet answers with defaults: its description and paths come when it is opened */
        if ((r = get_string(m, path, IFACE_UNIT, "LoadState", &s->load_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "Description", &s->description)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "FragmentPath", &s->fragment_path)) < 0 ||
            (r = get_strv(m, path, IFACE_UNIT, "DropInPaths", &s->dropin_paths)) < 0 ||
            (r = get_strv(m, path, IFACE_UNIT, "Names", &s->names)) < 0) {
                service_free(s);
                return r;
        }
        if (streq_ptr(s->load_state, "loaded") &&
            ((r = get_string(m, path, IFACE_SERVICE, "RootDirectory", &s->root_directory)) < 0 ||
             (r = get_string(m, path, IFACE_SERVICE, "RootImage", &s->root_image)) < 0)) {
                service_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

static int call_simple(Manager *m, const char *method, const char *types, const char *a, const char *b) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int r = types ? sym_sd_bus_call_method(m->bus, DEST, PATH, IFACE_MANAGER, method, &e, NULL, types, a,
                                               b)
                      : sym_sd_bus_call_method(m->bus, DEST, PATH, IFACE_MANAGER, method, &e, NULL, NULL);
        if (r < 0)
                keep_error(m, &e, r);
        sym_sd_bus_error_free(&e);
        return r;
}

int manager_reload(Manager *m) {
        return call_simple(m, "Reload", NULL, NULL, NULL);
}

int manager_restart(Manager *m, const char *name) {
        return call_simple(m, "RestartUnit", "ss", name, "replace");
}

int manager_reset_failed(Manager *m, const char *name) {
        return call_simple(m, "ResetFailedUnit", "s", name, NULL);
}

int manager_unit_status(Manager *m, const char *name, UnitStatus *ret) {
        _cleanup_free_ char *path = NULL;
        UnitStatus s = {};
        int r = sym_sd_bus_path_encode("/org/freedesktop/systemd1/unit", name, &path);
        if (r < 0)
                return r;
        if ((r = get_string(m, path, IFACE_UNIT, "LoadState", &s.load_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "ActiveState", &s.active_state)) < 0 ||
            (r = get_string(m, path, IFACE_UNIT, "SubState", &s.sub_state)) < 0)
                goto fail;
        /* a unit that did not load has no Service interface to ask */
        if (streq_ptr(s.load_state, "loaded") &&
            ((r = get_string(m, path, IFACE_SERVICE, "Result", &s.result)) < 0 ||
             (r = get_string(m, path, IFACE_SERVICE, "Type", &s.type)) < 0 ||
             (r = get_string(m, path, IFACE_SERVICE, "ControlGroup", &s.control_group)) < 0 ||
             (r = get_trivial(m, path, IFACE_SERVICE, "MainPID", 'u', &s.main_pid)) < 0 ||
             (r = get_trivial(m, path, IFACE_SERVICE, "NRestarts", 'u', &s.n_restarts)) < 0))
                goto fail;
        *ret = s;
        return 0;
fail:
        unit_status_done(&s);
        return r;
}

/* The jobs the manager reported finished since we subscribed: job path and result. */
typedef struct JobWait {
        const char *job;
        char *result;
} JobWait;

static int on_job_removed(sd_bus_message *msg, void *userdata, sd_bus_error *e) {
        JobWait *w = userdata;
        const char *job, *unit, *result;
        uint32_t id;
        if (sym_sd_bus_message_read(msg, "uoss", &id, &job, &unit, &result) < 0)
                return 0;
        if (w->job && !w->result && streq(job, w->job))
                w->result = strdup(result);
        return 0;
}

/* Whether the job object is still there: a job whose signal was missed is gone when it is finished. */
static bool job_exists(Manager *m, const char *job) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char *state = NULL;
        int r = sym_sd_bus_get_property_string(m->bus, DEST, job, "org.freedesktop.systemd1.Job", "State", &e,
                                               &state);
        bool gone = r < 0 &&
                    sym_sd_bus_error_has_names_sentinel(&e, "org.freedesktop.DBus.Error.UnknownObject",
                                                        "org.freedesktop.systemd1.NoSuchJob",
                                                        "org.freedesktop.DBus.Error.UnknownMethod",
                                                        "org.freedesktop.DBus.Error.UnknownInterface", NULL);
        sym_sd_bus_error_free(&e);
        free(state);
        return !gone;
}

int manager_run_job(Manager *m, const char *method, const char *name, uint64_t timeout_usec,
                    char **ret_result) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        sd_bus_slot *slot = NULL;
        JobWait w = {};
        _cleanup_free_ char *job = NULL;
        uint64_t deadline, last_probe;
        const char *o;
        int r;

        /* the signal is matched before the job exists, so that its end cannot pass unseen */
        r = sym_sd_bus_match_signal(m->bus, &slot, DEST, PATH, IFACE_MANAGER, "JobRemoved", on_job_removed,
                                    &w);
        if (r < 0)
                return keep_error(m, NULL, r);
        (void)sym_sd_bus_call_method(m->bus, DEST, PATH, IFACE_MANAGER, "Subscribe", NULL, NULL, NULL);
        r = sym_sd_bus_call_method(m->bus, DEST, PATH, IFACE_MANAGER, method, &e, &reply, "ss", name,
                                   "replace");
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, "o", &o);
        if (r >= 0 && !(job = strdup(o)))
                r = -ENOMEM;
        sym_sd_bus_message_unref(reply);
        if (r < 0) {
                keep_error(m, &e, r);
                goto finish;
        }
        w.job = job;
        deadline = now_usec(CLOCK_MONOTONIC) + timeout_usec;
        last_probe = now_usec(CLOCK_MONOTONIC);
        while (!w.result) {
                r = sym_sd_bus_process(m->bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                uint64_t now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                /* every second: a job that is gone without its signal has finished */
                if (now - last_probe >= 1000000) {
                        last_probe = now;
                        if (!job_exists(m, job)) {
                                w.result = strdup("done");
                                break;
                        }
                }
                uint64_t wait = deadline - now < 1000000 ? deadline - now : 1000000;
                r = sym_sd_bus_wait(m->bus, wait);
                if (r == -EINTR)
                        r = 0; /* a signal: the job goes on, and so does the wait */
                if (r < 0)
                        break;
        }
        if (r < 0)
                keep_error(m, NULL, r);
        else if (!w.result)
                r = -ENOMEM;
finish:
        sym_sd_bus_slot_unref(slot);
        sym_sd_bus_error_free(&e);
        if (r < 0) {
                free(w.result);
                return r;
        }
        *ret_result = w.result;
        return 0;
}

/* The journal: read here too, so that one file holds what talks to systemd through libsystemd. */

#define MESSAGE_MAX 2048u /* a longer message is cut: an excerpt is for reading */

/* The value of FIELD=value in the current entry, NUL-terminated and cut at max bytes, or NULL. */
static char *entry_field(sd_journal *j, const char *field, size_t max) {
        const void *data;
        size_t size, fl = strlen(field);
        if (sym_sd_journal_get_data(j, field, &data, &size) < 0 || size <= fl ||
            ((const char *)data)[fl] != '=')
                return NULL;
        size -= fl + 1;
        if (size > max)
                size = max;
        return strndup((const char *)data + fl + 1, size);
}

static int format_entry(sd_journal *j, char **ret) {
        _cleanup_free_ char *msg = entry_field(j, "MESSAGE", MESSAGE_MAX),
                            *ident = entry_field(j, "SYSLOG_IDENTIFIER", 64),
                            *pid = entry_field(j, "_PID", 16);
        return msg ? journal_format_line(msg, ident, pid, ret) : 0; /* 0: no text to show */
}

static void journal_closep(sd_journal **j) {
        if (*j)
                sym_sd_journal_close(*j);
}

int manager_read_journal(const char *unit, uint64_t since_usec, uint64_t until_usec, size_t max,
                         char ***ret) {
        _cleanup_(journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *m1 = NULL, *m2 = NULL;
        char **lines = NULL;
        size_t n = 0;
        int r;

        if (max == 0)
                return -EINVAL;
        if ((r = dl_library_load(&libsystemd)) < 0 ||
            (r = sym_sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY)) < 0)
                return r;
        if (asprintf(&m1, "_SYSTEMD_UNIT=%s", unit) < 0 || asprintf(&m2, "UNIT=%s", unit) < 0)
                return -ENOMEM;
        /* its own processes, or the manager about it */
        if ((r = sym_sd_journal_add_match(j, m1, 0)) < 0 || (r = sym_sd_journal_add_disjunction(j)) < 0 ||
            (r = sym_sd_journal_add_match(j, m2, 0)) < 0 ||
            (r = sym_sd_journal_seek_realtime_usec(j, since_usec)) < 0)
                return r;
        lines = calloc(max + 1, sizeof(char *));
        if (!lines)
                return -ENOMEM;
        while ((r = sym_sd_journal_next(j)) > 0) {
                uint64_t t;
                char *line = NULL;
                if (sym_sd_journal_get_realtime_usec(j, &t) < 0 || t < since_usec)
                        continue;
                if (until_usec && t > until_usec)
                        break;
                r = format_entry(j, &line);
                if (r < 0)
                        break;
                if (r == 0)
                        continue;
                /* only the last max lines are kept */
                if (n == max) {
                        free(lines[0]);
                        memmove(lines, lines + 1, (max - 1) * sizeof(char *));
                        n--;
                }
                lines[n++] = line;
                lines[n] = NULL;
        }
        if (r < 0) {
                strv_free(lines);
                return r;
        }
        *ret = lines;
        return 0;
}
