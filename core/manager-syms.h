/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/* The functions of libsystemd that core/manager.c calls, each through its pointer sym_NAME (loaded by
 * dl_library_load()). Only manager.c includes this, after libsystemd's headers. */
#define LIBSYSTEMD_SYMBOLS(X)                                                                                \
        X(sd_bus_call)                                                                                       \
        X(sd_bus_call_method)                                                                                \
        X(sd_bus_error_free)                                                                                 \
        X(sd_bus_error_has_names_sentinel)                                                                   \
        X(sd_bus_error_is_set)                                                                               \
        X(sd_bus_flush_close_unref)                                                                          \
        X(sd_bus_get_property)                                                                               \
        X(sd_bus_get_property_string)                                                                        \
        X(sd_bus_get_property_strv)                                                                          \
        X(sd_bus_get_property_trivial)                                                                       \
        X(sd_bus_match_signal)                                                                               \
        X(sd_bus_message_append_strv)                                                                        \
        X(sd_bus_message_enter_container)                                                                    \
        X(sd_bus_message_exit_container)                                                                     \
        X(sd_bus_message_new_method_call)                                                                    \
        X(sd_bus_message_read)                                                                               \
        X(sd_bus_message_read_strv)                                                                          \
        X(sd_bus_message_skip)                                                                               \
        X(sd_bus_message_unref)                                                                              \
        X(sd_bus_new)                                                                                        \
        X(sd_bus_open_system)                                                                                \
        X(sd_bus_open_user)                                                                                  \
        X(sd_bus_path_encode)                                                                                \
        X(sd_bus_process)                                                                                    \
        X(sd_bus_set_address)                                                                                \
        X(sd_bus_slot_unref)                                                                                 \
        X(sd_bus_start)                                                                                      \
        X(sd_bus_unref)                                                                                      \
        X(sd_bus_wait)                                                                                       \
        X(sd_journal_add_disjunction)                                                                        \
        X(sd_journal_add_match)                                                                              \
        X(sd_journal_close)                                                                                  \
        X(sd_journal_get_data)                                                                               \
        X(sd_journal_get_realtime_usec)                                                                      \
        X(sd_journal_next)                                                                                   \
        X(sd_journal_open)                                                                                   \
        X(sd_journal_seek_realtime_usec)
