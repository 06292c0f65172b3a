/* SPDX-License-Identifier: MIT */
/*
 * A QR code (libqrencode) as an SVG image to put inline in a page: one path
 * of unit squares for the dark modules, a quiet zone of four, no style
 * attribute or element (the CSP forbids inline style), scaled by CSS.
 */
#ifndef KGW_ADMIN_QR_H
#define KGW_ADMIN_QR_H

#define ADMIN_QR_QUIET 4

/* malloc'd SVG markup; NULL with errno set when the text cannot be encoded. */
char *admin_qr_svg(const char *text) __attribute__((warn_unused_result));

#endif
