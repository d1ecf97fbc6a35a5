/*
 * httpd.h - libmicrohttpd, loaded when `pmon metrics --listen` starts
 * serving and not before (util/dynload.h): linked, it brings its TLS
 * stack (gnutls, nettle, gmp, p11-kit, libtasn1, libidn2, libunistring:
 * nine objects) into every pmon command, and that cost each start
 * 4-5 ms of CPU here (an empty program: 2.0 ms bare, 7.2 ms linked with
 * libmicrohttpd alone), more than `pmon inspect` does of its own work.
 */
#ifndef PMON_CMD_HTTPD_H
#define PMON_CMD_HTTPD_H

#include <stddef.h>
#include <sys/select.h>
#include <microhttpd.h>

/* The calls pmon makes, typed from libmicrohttpd's own header. */
struct httpd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_get_fdset2) *get_fdset2;
	__typeof__(MHD_get_timeout) *get_timeout;
	__typeof__(MHD_run_from_select) *run_from_select;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
};

/* The calls, or NULL with the reason in *why. */
const struct httpd_api *httpd_load(const char **why);

#endif
