/* The device SDK's platform hooks on a POSIX host: getrandom() and files (see mote_platform_host.h). */
#define _DEFAULT_SOURCE
#include "mote_platform_host.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monocypher.h"

static const char KEY_TAG[] = "mote-ed25519-seed "; /* ledger/keys.ts's key file: tag, 64 hex digits, \n */
#define KEY_TEXT_BYTES (sizeof KEY_TAG - 1 + 64 + 1)

static int host_random(void *ctx, uint8_t *buf, size_t n) {
    (void)ctx;
    while (n) {
        ssize_t got = getrandom(buf, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += got;
        n -= (size_t)got;
    }
    return 0;
}

static long failed(mote_host_storage *s, const char *path, const char *what) {
    snprintf(s->why, sizeof s->why, "%s: %s", path, what);
    return MOTE_STORE_FAILED;
}

static int item_path(mote_host_storage *s, const char *name, char *out, size_t cap) {
    int n = strcmp(name, MOTE_ITEM_KEY) == 0 ? snprintf(out, cap, "%s", s->key_path) : snprintf(out, cap, "%s.%s", s->key_path, name);
    return n > 0 && (size_t)n < cap;
}

static int hexval(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static long host_load(void *ctx, const char *name, uint8_t *buf, size_t cap) {
    mote_host_storage *s = ctx;
    char path[4096];
    if (!item_path(s, name, path, sizeof path)) return failed(s, s->key_path, "path too long");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? MOTE_STORE_ABSENT : failed(s, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return failed(s, path, "not a regular file");
    }
    int is_key = strcmp(name, MOTE_ITEM_KEY) == 0;
    if (is_key && (st.st_mode & 077)) {
        close(fd);
        char why[96];
        snprintf(why, sizeof why, "key file is accessible by others (mode %o); run chmod 600", (unsigned)(st.st_mode & 0777));
        return failed(s, path, why);
    }
    uint8_t raw[KEY_TEXT_BYTES + 1];
    uint8_t *dst = is_key ? raw : buf;
    size_t want = is_key ? sizeof raw : cap;
    size_t got = 0;
    ssize_t r;
    while (got < want && (r = read(fd, dst + got, want - got)) != 0) {
        if (r < 0) {
            if (errno == EINTR) continue;
            close(fd);
            return failed(s, path, strerror(errno));
        }
        got += (size_t)r;
    }
    uint8_t extra;
    int more = got == want && read(fd, &extra, 1) == 1;
    close(fd);
    if (!is_key) return more ? failed(s, path, "larger than expected") : (long)got;
    /* the ledger's format: the tag, 64 lower-case hex digits, an optional newline */
    size_t tl = sizeof KEY_TAG - 1;
    int ok = !more && (got == tl + 64 || (got == tl + 65 && raw[tl + 64] == '\n')) && memcmp(raw, KEY_TAG, tl) == 0 && cap >= 32;
    for (size_t i = 0; ok && i < 32; i++) {
        int hi = hexval((char)raw[tl + 2 * i]), lo = hexval((char)raw[tl + 2 * i + 1]);
        if (hi < 0 || lo < 0) ok = 0;
        else buf[i] = (uint8_t)(hi * 16 + lo);
    }
    crypto_wipe(raw, sizeof raw);
    if (!ok) {
        crypto_wipe(buf, cap < 32 ? cap : 32);
        return failed(s, path, "not a Mote key file (expected 'mote-ed25519-seed' and 64 lower-case hex digits)");
    }
    return 32;
}

static int write_all(int fd, const uint8_t *b, size_t n) {
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

static long host_save(void *ctx, const char *name, const uint8_t *buf, size_t len, int create_only) {
    mote_host_storage *s = ctx;
    char path[4096], tmp[4200];
    if (!item_path(s, name, path, sizeof path)) return failed(s, s->key_path, "path too long");
    if (strcmp(name, MOTE_ITEM_KEY) == 0) {
        if (len != 32) return failed(s, path, "a key is 32 bytes");
        char text[KEY_TEXT_BYTES];
        size_t tl = sizeof KEY_TAG - 1;
        memcpy(text, KEY_TAG, tl);
        for (size_t i = 0; i < 32; i++) {
            text[tl + 2 * i] = "0123456789abcdef"[buf[i] >> 4];
            text[tl + 2 * i + 1] = "0123456789abcdef"[buf[i] & 15];
        }
        text[tl + 64] = '\n';
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0) {
            crypto_wipe(text, sizeof text);
            if (errno == EEXIST && create_only) return MOTE_STORE_EXISTS;
            return failed(s, path, errno == EEXIST ? "already exists; refusing to overwrite a key" : strerror(errno));
        }
        int bad = write_all(fd, (const uint8_t *)text, sizeof text) != 0 || fsync(fd) != 0;
        crypto_wipe(text, sizeof text);
        if (close(fd) != 0) bad = 1;
        if (bad) {
            unlink(path);
            return failed(s, path, "cannot write the key file");
        }
        return 0;
    }
    /* anything else replaces the item atomically: a new file, synced, renamed over the old one */
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return failed(s, tmp, strerror(errno));
    int bad = write_all(fd, buf, len) != 0 || fsync(fd) != 0;
    if (close(fd) != 0) bad = 1;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return failed(s, path, "cannot write");
    }
    return 0;
}

mote_platform mote_host_platform(mote_host_storage *s) {
    s->why[0] = 0;
    return (mote_platform){.ctx = s, .random = host_random, .load = host_load, .save = host_save};
}
