/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkg-index.h"

/* The index file, shared by the builder (pkg-index-build.c) and the reader (pkg-index.c). Native byte
 * order (it never leaves the machine; the header says which). Every offset is from the start of the file
 * unless said otherwise; every part (a PkgBlob) carries its own checksum, checked when first used, so that
 * a lookup touches and checks only the few parts it needs, not the whole file. */

#define PKG_INDEX_MAGIC "SDCPKIX\n"
#define PKG_INDEX_VERSION 1
#define PKG_INDEX_BYTE_ORDER UINT32_C(0x01020304)
#define PKG_INDEX_SHARDS 512

typedef struct PkgBlob {
        uint64_t off, size, sum; /* sum: hash_bytes() of the bytes */
} PkgBlob;

/* What the index was built from: rebuilt when any of it differs. dpkg replaces its files by rename, so a
 * change shows in the info directory's mtime and in the status and diversions files' inode and times. */
typedef struct PkgIndexKey {
        uint64_t root_dev, root_ino;
        uint64_t stat[3][5]; /* info directory, status, diversions: dev, ino, size, mtime ns, ctime ns */
        char aliases[64];    /* the merged-/usr prefixes, joined */
        char arch[16];
} PkgIndexKey;

typedef struct PkgIndexHeader {
        char magic[8];
        uint32_t version, byte_order;
        uint64_t file_size;
        PkgIndexKey key;
        uint32_t n_shards, n_packages, n_status, reserved;
        PkgBlob shards;      /* PkgBlob[n_shards]: the paths, by hash of their directory */
        PkgBlob packages;    /* PkgPackageRec[n_packages] sorted by name, then their names */
        PkgBlob status;      /* PkgStatusRec[n_status] sorted by key, then the keys */
        uint64_t header_sum; /* hash_bytes() of everything above */
} PkgIndexHeader;

/* A shard, offsets relative to its start: PkgShardHead, PkgDirRec[n_dirs] sorted by name,
 * PkgFileRec[n_files] (each directory's run sorted by base name), then NUL-terminated strings; its last
 * byte is a NUL. Names compare as bytes, a prefix first (pkg_index_cmp()). */
typedef struct PkgShardHead {
        uint32_t n_dirs, n_files;
} PkgShardHead;
typedef struct PkgDirRec {
        uint32_t name, first, count;
} PkgDirRec;
typedef struct PkgFileRec {
        uint32_t base, owners; /* owners: "a, b" */
} PkgFileRec;

/* Offsets of names relative to the table's blob. */
typedef struct PkgPackageRec {
        uint64_t name;
        PkgBlob files; /* newline-ended paths */
} PkgPackageRec;
/* data: name, arch, source, depends, conffiles, priority, essential ("yes" or ""), each NUL-terminated */
typedef struct PkgStatusRec {
        uint64_t key;
        PkgBlob data;
} PkgStatusRec;

/* Build the image of the database below root, with key in its header. malloc'd. */
int pkg_index_build(const PkgIndexRoot *root, const PkgIndexKey *key, uint8_t **ret, size_t *ret_size);

/* The order of names in the index. */
static inline int pkg_index_cmp(const char *a, size_t al, const char *b, size_t bl) {
        int c = memcmp(a, b, al < bl ? al : bl);
        return c ? c : al < bl ? -1 : al > bl;
}

/* The shard of a directory. */
uint32_t pkg_index_shard_of(const char *dir, size_t len);
