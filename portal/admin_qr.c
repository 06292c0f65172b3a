/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <qrencode.h>

#include "admin_qr.h"

char *admin_qr_svg(const char *text)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *svg = NULL;
	size_t len = 0;
	FILE *f;
	int w, size;

	if (!qr)
		return NULL;
	if (!(f = open_memstream(&svg, &len))) {
		QRcode_free(qr);
		return NULL;
	}
	w = qr->width;
	size = w + 2 * ADMIN_QR_QUIET;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 %d %d\" "
		"shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code\">"
		"<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		size, size, size, size);
	for (int y = 0; y < w; y++) {
		for (int x = 0; x < w; x++) {
			/* Bit 0 of each module is dark or light; the rest is libqrencode's bookkeeping. */
			if (qr->data[y * w + x] & 1)
				fprintf(f, "M%d %dh1v1h-1z", x + ADMIN_QR_QUIET, y + ADMIN_QR_QUIET);
		}
	}
	fputs("\"/></svg>", f);
	QRcode_free(qr);
	if (fclose(f) || !svg) {
		free(svg);
		errno = ENOMEM;
		return NULL;
	}
	return svg;
}
