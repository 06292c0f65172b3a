/* SPDX-License-Identifier: MIT */
/*
 * The admin UI's pure parts: the template engine and its escaping, form and
 * cookie parsing, the login-session table with a driven clock, the CSRF
 * comparison, and the QR code as SVG (checked module by module against
 * libqrencode's matrix, read back out of the SVG path).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "admin_qr.h"
#include "admin_session.h"
#include "form.h"
#include "tmpl.h"
#include "unit.h"

/* ---- templates ---- */

static char *render(const char *text, const struct tmpl_data *d)
{
	char err[KGW_TMPL_ERR_MAX];
	struct tmpl_set *s = tmpl_set_new();
	struct tmpl_buf out = { 0 };
	char *r;

	ck_assert_ptr_nonnull(s);
	ck_assert_msg(!tmpl_set_add(s, "t", text, err), "%s", err);
	ck_assert_int_eq(tmpl_set_add(s, "inc", "[{{x}}]", err), 0);
	ck_assert_int_eq(tmpl_render(s, "t", d, &out), 0);
	r = strdup(out.s ? out.s : "");
	tmpl_buf_free(&out);
	tmpl_set_free(s);
	return r;
}

static const struct {
	const char *text, *want;
} tmpl_cases[] = {
	/* 1 */ { "plain", "plain" },
	/* 2 */ { "a{{x}}b", "a&lt;&amp;&gt;&quot;&#39;b" },
	/* 3 */ { "{{&x}}", "<&>\"'" },
	/* 4 */ { "{{missing}}|", "|" },
	/* 5 */ { "{{#list}}({{v}}){{/list}}", "(1)(&lt;2&gt;)" },
	/* 6 */ { "{{^list}}none{{/list}}", "" },
	/* 7 */ { "{{^empty}}none{{/empty}}", "none" },
	/* 8 */ { "{{#flag}}yes{{/flag}}{{^flag}}no{{/flag}}", "yes" },
	/* 9 */ { "{{#empty}}yes{{/empty}}", "" },
	/* 10: a loop body sees the outer values */ { "{{#list}}{{flag}}{{/list}}", "11" },
	/* 11 */ { "{{>inc}}", "[&lt;&amp;&gt;&quot;&#39;]" },
	/* 12 */ { "{{#list}}{{#flag}}{{v}}{{/flag}}{{/list}}", "1&lt;2&gt;" },
	/* 13: an item shadows the root */ { "{{#list}}{{name}}{{/list}}{{name}}", "inneritemroot" },
	/* 14 */ { "{ {x} }", "{ {x} }" },
};

START_TEST(tmpl_table)
{
	struct tmpl_data *d = tmpl_data_new(), *item;
	char *got;

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(tmpl_set(d, "x", "%s", "<&>\"'"), 0);
	ck_assert_int_eq(tmpl_set(d, "flag", "1"), 0);
	ck_assert_int_eq(tmpl_set(d, "empty", "%s", ""), 0);
	ck_assert_int_eq(tmpl_set(d, "name", "root"), 0);
	item = tmpl_add(d, "list");
	ck_assert_int_eq(tmpl_set(item, "v", "1"), 0);
	ck_assert_int_eq(tmpl_set(item, "name", "inner"), 0);
	item = tmpl_add(d, "list");
	ck_assert_int_eq(tmpl_set(item, "v", "<2>"), 0);
	ck_assert_int_eq(tmpl_set(item, "name", "item"), 0);
	got = render(tmpl_cases[_i].text, d);
	ck_assert_msg(!strcmp(got, tmpl_cases[_i].want), "case %d: `%s' gave `%s', want `%s'",
		      _i + 1, tmpl_cases[_i].text, got, tmpl_cases[_i].want);
	free(got);
	tmpl_data_free(d);
}
END_TEST

static const char *const bad_templates[] = {
	/* 1 */ "{{#a}}unclosed",
	/* 2 */ "{{/a}}",
	/* 3 */ "{{#a}}{{/b}}",
	/* 4 */ "{{#a}}{{#b}}{{/a}}{{/b}}",
	/* 5 */ "{{x",
	/* 6 */ "{{}}",
	/* 7 */ "{{a b}}",
	/* 8 */ "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}",
	/* 9 */ "{{<script>}}",
};

START_TEST(tmpl_rejects)
{
	char err[KGW_TMPL_ERR_MAX] = "";
	struct tmpl_set *s = tmpl_set_new();

	ck_assert_int_eq(tmpl_set_add(s, "t", bad_templates[_i], err), -EINVAL);
	ck_assert_msg(err[0], "case %d: no reason given", _i + 1);
	tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_missing_and_recursive)
{
	char err[KGW_TMPL_ERR_MAX];
	struct tmpl_set *s = tmpl_set_new();
	struct tmpl_data *d = tmpl_data_new();
	struct tmpl_buf out = { 0 };

	ck_assert_int_eq(tmpl_render(s, "nope", d, &out), -ENOENT);
	ck_assert_int_eq(tmpl_set_add(s, "a", "{{>b}}", err), 0);
	ck_assert_int_eq(tmpl_render(s, "a", d, &out), -ENOENT);
	/* A template that includes itself stops at the depth limit instead of looping. */
	ck_assert_int_eq(tmpl_set_add(s, "loop", "x{{>loop}}", err), 0);
	ck_assert_int_eq(tmpl_render(s, "loop", d, &out), -EINVAL);
	tmpl_buf_free(&out);
	tmpl_data_free(d);
	tmpl_set_free(s);
}
END_TEST

START_TEST(tmpl_source_templates_load)
{
	static const char *const names[] = { "header", "footer", "login", "error", "dashboard",
		"users", "user", "otp", "groups", "sessions", "audit" };
	char dir[4096], err[KGW_TMPL_ERR_MAX];
	struct tmpl_set *s = tmpl_set_new();
	struct tmpl_data *d = tmpl_data_new();
	struct tmpl_buf out = { 0 };

	snprintf(dir, sizeof(dir), "%s/portal/templates", unit_srcdir());
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		ck_assert_msg(!tmpl_set_load(s, dir, names[i], err), "%s", err);
	/* A hostile value in every page comes out escaped, never as markup. */
	tmpl_set(d, "title", "<script>alert(1)</script>");
	tmpl_set(d, "admin", "\"><img src=x>");
	tmpl_set(d, "csrf", "tok");
	for (size_t i = 2; i < ARRAY_SIZE(names); i++) {
		out.len = 0;
		ck_assert_int_eq(tmpl_render(s, names[i], d, &out), 0);
		ck_assert_ptr_null(strstr(out.s, "<script>"));
		ck_assert_ptr_null(strstr(out.s, "<img"));
		ck_assert_ptr_nonnull(strstr(out.s, "&lt;script&gt;"));
		ck_assert_ptr_null(strstr(out.s, "style=\""));
	}
	tmpl_buf_free(&out);
	tmpl_data_free(d);
	tmpl_set_free(s);
}
END_TEST

START_TEST(escape_all)
{
	struct tmpl_buf b = { 0 };
	char all[256];

	for (int i = 1; i < 256; i++)
		all[i - 1] = (char)i;
	all[255] = '\0';
	ck_assert_int_eq(tmpl_buf_escape(&b, all), 0);
	/* Nothing that can open a tag or end an attribute is left. */
	ck_assert_ptr_null(strpbrk(b.s, "<>\"'"));
	ck_assert_uint_eq(b.len, 255 - 5 + strlen("&amp;&lt;&gt;&quot;&#39;"));
	tmpl_buf_free(&b);
	ck_assert_int_eq(tmpl_buf_escape(&b, ""), 0);
	ck_assert_uint_eq(b.len, 0);
	tmpl_buf_free(&b);
}
END_TEST

/* ---- forms and cookies ---- */

static const struct {
	const char *in;
	int ret;
	const char *name, *value;	/* one field to check */
} form_cases[] = {
	/* 1 */ { "a=1&b=2", 0, "b", "2" },
	/* 2 */ { "user=al%69ce&pw=a+b%2Bc", 0, "pw", "a b+c" },
	/* 3 */ { "x=%E2%82%AC", 0, "x", "\xe2\x82\xac" },
	/* 4 */ { "&&a=&", 0, "a", "" },
	/* 5 */ { "flag", 0, "flag", "" },
	/* 6 */ { "a=%zz", -EINVAL, NULL, NULL },
	/* 7 */ { "a=%4", -EINVAL, NULL, NULL },
	/* 8 */ { "a=%00", -EINVAL, NULL, NULL },
	/* 9 */ { "a=%01", -EINVAL, NULL, NULL },
	/* 10 */ { "a=%C0%AF", -EINVAL, NULL, NULL },	/* overlong '/' */
	/* 11 */ { "a=%ED%A0%80", -EINVAL, NULL, NULL },	/* a surrogate */
	/* 12 */ { "a=%E2%82", -EINVAL, NULL, NULL },	/* cut short */
	/* 13 */ { "a=1&a=2", 0, "a", "1" },
	/* 14 */ { "%61=b", 0, "a", "b" },
	/* 15 */ { "t=a%0D%0Ab", 0, "t", "a\r\nb" },
	/* 16 */ { "a=%", -EINVAL, NULL, NULL },
};

START_TEST(form_table)
{
	struct kgw_form f;
	int ret = kgw_form_parse(&f, form_cases[_i].in, strlen(form_cases[_i].in));

	ck_assert_msg(ret == form_cases[_i].ret, "case %d: %d", _i + 1, ret);
	if (!ret && form_cases[_i].name)
		ck_assert_str_eq(kgw_form_get(&f, form_cases[_i].name), form_cases[_i].value);
	kgw_form_free(&f);
}
END_TEST

START_TEST(form_limits)
{
	char buf[KGW_FORM_BYTES_MAX + 2];
	struct kgw_form f;
	size_t n = 0;

	for (int i = 0; i < KGW_FORM_FIELDS_MAX; i++)
		n += (size_t)sprintf(buf + n, "f%d=v&", i);
	ck_assert_int_eq(kgw_form_parse(&f, buf, n), 0);
	ck_assert_uint_eq(f.n, KGW_FORM_FIELDS_MAX);
	ck_assert_ptr_null(kgw_form_get(&f, "absent"));
	kgw_form_free(&f);
	n += (size_t)sprintf(buf + n, "one=more");
	ck_assert_int_eq(kgw_form_parse(&f, buf, n), -EINVAL);
	memset(buf, 'a', sizeof(buf));
	ck_assert_int_eq(kgw_form_parse(&f, buf, KGW_FORM_BYTES_MAX + 1), -EINVAL);
	ck_assert_int_eq(kgw_form_parse(&f, "a\0b", 3), -EINVAL);
	ck_assert_int_eq(kgw_form_parse(&f, NULL, 0), 0);
	ck_assert_uint_eq(f.n, 0);
}
END_TEST

static const struct {
	const char *header, *name, *want;	/* want NULL: not found */
} cookie_cases[] = {
	/* 1 */ { "kgw_admin=abc", "kgw_admin", "abc" },
	/* 2 */ { "a=1; kgw_admin=abc; b=2", "kgw_admin", "abc" },
	/* 3 */ { "xkgw_admin=abc", "kgw_admin", NULL },
	/* 4 */ { "kgw_admin_x=1; kgw_admin=ok", "kgw_admin", "ok" },
	/* 5 */ { "kgw_admin=", "kgw_admin", NULL },
	/* 6 */ { "kgw_admin=0123456789", "kgw_admin", NULL },	/* too long for the buffer */
	/* 7 */ { "a=1;kgw_admin=t ", "kgw_admin", "t" },
	/* 8 */ { "", "kgw_admin", NULL },
	/* 9 */ { NULL, "kgw_admin", NULL },
	/* 10 */ { ";;; kgw_admin=z;", "kgw_admin", "z" },
};

START_TEST(cookie_table)
{
	char out[8];
	bool found = kgw_cookie_get(cookie_cases[_i].header, cookie_cases[_i].name, out, sizeof(out));

	ck_assert_msg(found == (cookie_cases[_i].want != NULL), "case %d", _i + 1);
	if (found)
		ck_assert_str_eq(out, cookie_cases[_i].want);
}
END_TEST

/* ---- admin sessions ---- */

START_TEST(session_timeouts)
{
	struct admin_sessions *t = admin_sessions_new(4, 900, 3600);
	const struct admin_session *s;
	char id[ADMIN_SESSION_TOKEN_MAX];

	s = admin_session_create(t, "root", 1000);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(strlen(s->id), 43);
	ck_assert_str_ne(s->id, s->csrf);
	strcpy(id, s->id);
	/* Idle: each request restarts the idle clock... */
	for (uint64_t now = 1000; now < 1000 + 3600; now += 899)
		ck_assert_ptr_nonnull(admin_session_find(t, id, now));
	/* ...but not the absolute one. */
	ck_assert_ptr_null(admin_session_find(t, id, 1000 + 3600));
	ck_assert_uint_eq(admin_sessions_count(t, 1000 + 3600), 0);

	s = admin_session_create(t, "root", 5000);
	strcpy(id, s->id);
	ck_assert_ptr_nonnull(admin_session_find(t, id, 5899));
	ck_assert_ptr_null(admin_session_find(t, id, 5899 + 900));
	/* Once gone, it stays gone. */
	ck_assert_ptr_null(admin_session_find(t, id, 5899));
	admin_sessions_free(t);
}
END_TEST

START_TEST(session_lookup_and_eviction)
{
	struct admin_sessions *t = admin_sessions_new(3, 900, 3600);
	char ids[4][ADMIN_SESSION_TOKEN_MAX], wrong[ADMIN_SESSION_TOKEN_MAX];
	const struct admin_session *s;

	for (int i = 0; i < 3; i++) {
		s = admin_session_create(t, i == 2 ? "bob" : "alice", 100 + (uint64_t)i);
		strcpy(ids[i], s->id);
	}
	ck_assert_ptr_null(admin_session_create(t, "", 100));
	/* ids[1] is used, so ids[0] is the least recently used when a fourth comes. */
	ck_assert_ptr_nonnull(admin_session_find(t, ids[0], 110));
	ck_assert_ptr_nonnull(admin_session_find(t, ids[1], 111));
	ck_assert_ptr_nonnull(admin_session_find(t, ids[2], 112));
	ck_assert_ptr_nonnull(admin_session_find(t, ids[0], 113));
	s = admin_session_create(t, "carol", 120);
	strcpy(ids[3], s->id);
	ck_assert_ptr_null(admin_session_find(t, ids[1], 121));
	ck_assert_str_eq(admin_session_find(t, ids[3], 121)->user, "carol");
	/* A near miss is no match. */
	strcpy(wrong, ids[3]);
	wrong[10] ^= 1;
	ck_assert_ptr_null(admin_session_find(t, wrong, 122));
	ck_assert_ptr_null(admin_session_find(t, "", 122));
	ck_assert_ptr_null(admin_session_find(t, NULL, 122));
	ck_assert_uint_eq(admin_session_end_user(t, "alice"), 1);
	ck_assert_ptr_null(admin_session_find(t, ids[0], 123));
	ck_assert(admin_session_end(t, ids[2]));
	ck_assert(!admin_session_end(t, ids[2]));
	ck_assert_uint_eq(admin_sessions_count(t, 124), 1);
	admin_sessions_free(t);
}
END_TEST

static const struct {
	const char *a, *b;
	bool equal;
} csrf_cases[] = {
	/* 1 */ { "abcdef", "abcdef", true },
	/* 2 */ { "abcdef", "abcdeg", false },
	/* 3 */ { "abcdef", "abcde", false },
	/* 4 */ { "abcdef", "abcdefg", false },
	/* 5 */ { "abcdef", "", false },
	/* 6 */ { "", "", false },	/* no token is never a match */
	/* 7 */ { "abcdef", NULL, false },
	/* 8 */ { NULL, "abcdef", false },
	/* 9 */ { "Abcdef", "abcdef", false },
};

START_TEST(csrf_compare)
{
	ck_assert_msg(admin_token_equal(csrf_cases[_i].a, csrf_cases[_i].b) == csrf_cases[_i].equal,
		      "case %d", _i + 1);
}
END_TEST

/* ---- QR code ---- */

/* Reads the SVG's "Mx yh1v1h-1z" squares back into a matrix of size w. */
static unsigned char *svg_modules(const char *svg, int w)
{
	unsigned char *m = calloc((size_t)(w * w), 1);
	const char *p = strstr(svg, " d=\"");
	int x, y, n;

	ck_assert_ptr_nonnull(p);
	for (p += 4; *p == 'M'; p += n) {
		ck_assert_int_eq(sscanf(p, "M%d %dh1v1h-1z%n", &x, &y, &n), 2);
		x -= ADMIN_QR_QUIET;
		y -= ADMIN_QR_QUIET;
		ck_assert(x >= 0 && x < w && y >= 0 && y < w);
		ck_assert(!m[y * w + x]);
		m[y * w + x] = 1;
	}
	ck_assert_int_eq(*p, '"');
	return m;
}

static const char *const qr_texts[] = {
	/* 1 */ "otpauth://totp/kgw:alice?secret=JBSWY3DPEHPK3PXP&issuer=kgw&algorithm=SHA1&digits=6&period=30",
	/* 2 */ "x",
	/* 3 */ "otpauth://totp/kgw%20gw:a%3Cb%3E?secret=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&issuer=kgw%20gw",
};

START_TEST(qr_svg)
{
	QRcode *qr = QRcode_encodeString(qr_texts[_i], 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *svg = admin_qr_svg(qr_texts[_i]);
	char view[64];
	unsigned char *m;
	int w;

	ck_assert_ptr_nonnull(qr);
	ck_assert_ptr_nonnull(svg);
	w = qr->width;
	snprintf(view, sizeof(view), "viewBox=\"0 0 %d %d\"", w + 2 * ADMIN_QR_QUIET,
		 w + 2 * ADMIN_QR_QUIET);
	ck_assert_ptr_nonnull(strstr(svg, view));
	ck_assert(!strncmp(svg, "<svg ", 5));
	ck_assert_str_eq(svg + strlen(svg) - 6, "</svg>");
	/* No style attribute or element: the CSP allows none inline. */
	ck_assert_ptr_null(strstr(svg, "style"));
	m = svg_modules(svg, w);
	for (int i = 0; i < w * w; i++)
		ck_assert_msg(m[i] == (qr->data[i] & 1), "module %d,%d", i % w, i / w);
	free(m);
	free(svg);
	QRcode_free(qr);
}
END_TEST

static Suite *admin_suite(void)
{
	Suite *s = suite_create("admin");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, tmpl_table, 0, ARRAY_SIZE(tmpl_cases));
	tcase_add_loop_test(tc, tmpl_rejects, 0, ARRAY_SIZE(bad_templates));
	tcase_add_test(tc, tmpl_missing_and_recursive);
	tcase_add_test(tc, tmpl_source_templates_load);
	tcase_add_test(tc, escape_all);
	tcase_add_loop_test(tc, form_table, 0, ARRAY_SIZE(form_cases));
	tcase_add_test(tc, form_limits);
	tcase_add_loop_test(tc, cookie_table, 0, ARRAY_SIZE(cookie_cases));
	tcase_add_test(tc, session_timeouts);
	tcase_add_test(tc, session_lookup_and_eviction);
	tcase_add_loop_test(tc, csrf_compare, 0, ARRAY_SIZE(csrf_cases));
	tcase_add_loop_test(tc, qr_svg, 0, ARRAY_SIZE(qr_texts));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(admin_suite());
}
