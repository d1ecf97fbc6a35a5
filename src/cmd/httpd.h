/*
 * httpd.h - libmicrohttpd, loaded when `pmon metrics --listen` starts
 * serving and not before.
 *
 * Linked, libmicrohttpd brings its TLS stack (gnutls, nettle, gmp,
 * p11-kit, libtasn1, libidn2 and libunistring: 9 more objects to map and
 * their constructors to run) into every pmon command, and that cost
 * 4-5 ms of CPU at each start on this project's build machine (an empty
 * program: 2.1 ms bare, 7.2 ms linked with libmicrohttpd alone; pmon
 * --version with it 11-12 ms), more than `pmon inspect` does of its own
 * work.  Only one option of one command speaks HTTP, so that option
 * pays for it.
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

/* Loads the library once (PMON_HTTPD_SONAME: the Makefile reads it off
 * the library compiled against); NULL with the reason in why when it cannot be
 * loaded or lacks a call. */
const struct httpd_api *httpd_load(char *why, size_t whylen);

#endif
