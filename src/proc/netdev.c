/*
 * netdev.c - network totals from /proc/net/dev (see sysparse.h).
 */
#include <stdio.h>
#include <string.h>

#include "proc/sysparse.h"

/* "  eth0: rxbytes rxpackets ... (8 fields) txbytes ..." */
int netdev_parse(const char *text, unsigned long long *rx_bytes,
		 unsigned long long *tx_bytes)
{
	int ifaces = 0;

	*rx_bytes = *tx_bytes = 0;
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL) {
		const char *colon = strchr(s, ':'), *eol = strchr(s, '\n');
		unsigned long long rx, tx;
		char name[32];
		size_t len;

		if (!colon || (eol && colon > eol))
			continue;
		while (*s == ' ')
			s++;
		len = (size_t)(colon - s);
		if (len == 0 || len >= sizeof(name))
			continue;
		memcpy(name, s, len);
		name[len] = '\0';
		if (sscanf(colon + 1, "%llu %*u %*u %*u %*u %*u %*u %*u %llu",
			   &rx, &tx) != 2)
			continue;
		ifaces++;
		if (strcmp(name, "lo") == 0)
			continue;
		*rx_bytes += rx;
		*tx_bytes += tx;
	}
	return ifaces ? 0 : -1;
}
