/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include "macro.h"
#include "manager.h"

/* The data manager.h returns, freed without the bus. */

void unit_info_free_many(UnitInfo *u, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(u[i].name);
                free(u[i].load_state);
                free(u[i].active_state);
                free(u[i].sub_state);
                free(u[i].description);
                free(u[i].file_state);
        }
        free(u);
}

void unit_status_done(UnitStatus *s) {
        free(s->load_state);
        free(s->active_state);
        free(s->sub_state);
        free(s->result);
        free(s->type);
        free(s->control_group);
        *s = (UnitStatus){};
}

static int cmp_unit(const void *a, const void *b) {
        return strcmp(((const UnitInfo *)a)->name, ((const UnitInfo *)b)->name);
}

void unit_info_sort(UnitInfo *u, size_t n) {
        if (n)
                qsort(u, n, sizeof(UnitInfo), cmp_unit);
}

UnitInfo *unit_info_find(UnitInfo *u, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(u[i].name, name))
                        return u + i;
        return NULL;
}
