// SPDX-License-Identifier: GPL-2.0
/* The helper's wire format: a request is one flat JSON object of integers and short strings. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "helper.h"

static const char *skip(const char *p)
{
	while (*p && isspace((unsigned char)*p))
		p++;
	return p;
}

static const char *string(const char *p, char *dst, size_t n)
{
	size_t i = 0;

	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && p[1])
			p++;
		if (i + 1 < n)
			dst[i++] = *p;
	}
	dst[i] = 0;
	return *p == '"' ? p + 1 : NULL;
}

int parse_request(const char *line, struct request *req)
{
	const char *p = skip(line);

	req->n = 0;
	if (*p++ != '{')
		return -1;
	for (p = skip(p); *p && *p != '}'; p = skip(p)) {
		int i = req->n;

		if (i >= REQ_FIELDS)
			return -1;
		p = string(p, req->key[i], sizeof(req->key[i]));
		if (!p)
			return -1;
		p = skip(p);
		if (*p++ != ':')
			return -1;
		p = skip(p);
		if (*p == '"') {
			p = string(p, req->str[i], sizeof(req->str[i]));
			if (!p)
				return -1;
			req->is_str[i] = true;
		} else {
			char *end;

			req->num[i] = strtoll(p, &end, 10);
			if (end == p)
				return -1;
			p = end;
			req->is_str[i] = false;
		}
		req->n++;
		p = skip(p);
		if (*p == ',')
			p++;
	}
	return *p == '}' ? 0 : -1;
}

long long req_num(const struct request *req, const char *key, long long fallback)
{
	for (int i = 0; i < req->n; i++)
		if (!req->is_str[i] && !strcmp(req->key[i], key))
			return req->num[i];
	return fallback;
}

const char *req_str(const struct request *req, const char *key)
{
	for (int i = 0; i < req->n; i++)
		if (req->is_str[i] && !strcmp(req->key[i], key))
			return req->str[i];
	return "";
}

void out_reset(struct out *o)
{
	o->len = 0;
	if (o->buf)
		o->buf[0] = 0;
}

void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int need;

	for (;;) {
		size_t room = o->cap - o->len;

		va_start(ap, fmt);
		need = vsnprintf(o->buf ? o->buf + o->len : NULL, room, fmt, ap);
		va_end(ap);
		if (need < 0)
			return;
		if ((size_t)need < room) {
			o->len += need;
			return;
		}
		o->cap = (o->cap + need + 1) * 2;
		o->buf = realloc(o->buf, o->cap);
		if (!o->buf) {
			perror("lsmc-helper: realloc");
			exit(1);
		}
	}
}

void out_str(struct out *o, const char *s)
{
	out_printf(o, "\"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			out_printf(o, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			out_printf(o, "\\u%04x", *s);
		else
			out_printf(o, "%c", *s);
	}
	out_printf(o, "\"");
}
