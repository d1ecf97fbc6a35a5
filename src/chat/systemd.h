/*
 * systemd.h - libsystemd's socket-activation calls, loaded only when
 * systemd passed pmon a socket (LISTEN_FDS is set): linked, libsystemd
 * (with libgcrypt, liblzma, libzstd, liblz4 and libcap) cost every pmon
 * command about 1.6 ms of CPU at start here (util/dynload.h).
 */
#ifndef PMON_CHAT_SYSTEMD_H
#define PMON_CHAT_SYSTEMD_H

#include <systemd/sd-daemon.h>

struct systemd_api {
	__typeof__(sd_listen_fds) *listen_fds;
	__typeof__(sd_is_socket_unix) *is_socket_unix;
};

/* The calls, or NULL with the reason in *why. */
const struct systemd_api *systemd_load(const char **why);

#endif
