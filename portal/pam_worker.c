/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_appl.h>
#include <sodium.h>

#include "conf.h"
#include "log.h"
#include "pam_worker.h"
#include "portal_limits.h"

/* One transaction; in sodium_malloc'd memory because it holds secrets. */
struct job {
	struct job *next;
	bool abandoned;			/* the pool stopped without it: the worker frees it */
	kgw_pam_done_fn done;
	void *arg;
	struct kgw_pam_result res;
	bool has_confdir, has_otp;
	char service[KGW_CONF_STR_MAX];
	char confdir[PATH_MAX];
	char user[KGW_USER_NAME_MAX + 1];
	char password[KGW_PASSWORD_MAX + 1];
	char otp[KGW_OTP_MAX_DIGITS + 1];
	char rhost[KGW_ADDR_STR_MAX];
};

struct kgw_pam_pool {
	struct ev_loop *loop;
	ev_async async;			/* data: the pool; workers wake the loop with it */
	pthread_mutex_t lock;
	pthread_cond_t work;
	struct job *queue, **queue_tail; /* waiting for a worker */
	struct job *done;		/* finished, for the loop to deliver */
	unsigned int queued, running, queue_max;
	bool stopping;
	pthread_t *threads;
	struct job **current;		/* each worker's running job, or NULL */
	unsigned int nthreads;
};

static void job_free(struct job *j)
{
	/* sodium_free wipes the whole block. */
	sodium_free(j);
}

/* ---- the conversation (worker thread) ---- */

static const char *conv_answer(const struct job *j, const char *prompt)
{
	if (!prompt)
		return NULL;
	if (!strcmp(prompt, KGW_PAM_PROMPT_PASSWORD))
		return j->password;
	if (!strcmp(prompt, KGW_PAM_PROMPT_OTP) && j->has_otp)
		return j->otp;
	return NULL;
}

static void free_replies(struct pam_response *resp, int n)
{
	for (int i = 0; i < n; i++) {
		if (resp[i].resp) {
			sodium_memzero(resp[i].resp, strlen(resp[i].resp));
			free(resp[i].resp);
		}
	}
	free(resp);
}

static int conv(int n, const struct pam_message **msg, struct pam_response **out, void *appdata)
{
	const struct job *j = appdata;
	struct pam_response *resp;
	char quoted[96];

	*out = NULL;
	if (n <= 0 || n > PAM_MAX_NUM_MSG)
		return PAM_CONV_ERR;
	resp = calloc((size_t)n, sizeof(*resp));
	if (!resp)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		const char *answer;

		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_OFF:
		case PAM_PROMPT_ECHO_ON:
			answer = conv_answer(j, msg[i]->msg);
			if (!answer) {
				kgw_warn("pam: service `%s' asked `%s', which kgw-portal cannot "
					 "answer", j->service,
					 kgw_log_quote(msg[i]->msg ? msg[i]->msg : "", quoted,
						       sizeof(quoted)));
				free_replies(resp, n);
				return PAM_CONV_ERR;
			}
			resp[i].resp = strdup(answer);
			if (!resp[i].resp) {
				free_replies(resp, n);
				return PAM_BUF_ERR;
			}
			break;
		case PAM_ERROR_MSG:
		case PAM_TEXT_INFO:
			kgw_debug("pam: service `%s' says `%s'", j->service,
				  kgw_log_quote(msg[i]->msg ? msg[i]->msg : "", quoted,
						sizeof(quoted)));
			break;
		default:
			free_replies(resp, n);
			return PAM_CONV_ERR;
		}
	}
	*out = resp;
	return PAM_SUCCESS;
}

/* ---- a transaction (worker thread) ---- */

/*
 * The codes that say the service failed rather than the user: a store that
 * cannot be read or written (pam_kgw's PAM_AUTHINFO_UNAVAIL, whatever was
 * typed), a module missing or misconfigured. Counting them as failed
 * logins would lock out every user who tries during an outage.
 */
static enum kgw_pam_status classify(int code)
{
	switch (code) {
	case PAM_SUCCESS:
		return KGW_PAM_OK;
	case PAM_AUTHINFO_UNAVAIL:
	case PAM_SYSTEM_ERR:
	case PAM_SERVICE_ERR:
	case PAM_BUF_ERR:
	case PAM_OPEN_ERR:
	case PAM_SYMBOL_ERR:
	case PAM_MODULE_UNKNOWN:
	case PAM_ABORT:
		return KGW_PAM_UNAVAILABLE;
	default:
		return KGW_PAM_DENIED;
	}
}

static void set_result(struct job *j, int code, const char *stage)
{
	j->res.status = classify(code);
	j->res.pam_code = code;
	j->res.stage = stage;
	/* Linux-PAM's pam_strerror() does not use the handle, and its strings are static. */
	j->res.reason = pam_strerror(NULL, code);
}

/* A module may rename the user (pam_get_item(PAM_USER)); we grant only what was asked. */
static bool same_user(pam_handle_t *pamh, const struct job *j)
{
	const void *item = NULL;

	return pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item &&
	       !strcmp(item, j->user);
}

static void run(struct job *j)
{
	const struct pam_conv pc = { conv, j };
	pam_handle_t *pamh = NULL;
	const int flags = PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK;
	int rc;

	rc = pam_start_confdir(j->service, j->user, &pc, j->has_confdir ? j->confdir : NULL, &pamh);
	if (rc != PAM_SUCCESS) {
		set_result(j, rc, "start");
		goto out;
	}
	rc = pam_set_item(pamh, PAM_RHOST, j->rhost);
	if (rc == PAM_SUCCESS)
		rc = pam_authenticate(pamh, flags);
	set_result(j, rc, "authenticate");
	if (rc == PAM_SUCCESS) {
		rc = pam_acct_mgmt(pamh, flags);
		set_result(j, rc, "account");
	}
	if (rc == PAM_SUCCESS && !same_user(pamh, j)) {
		rc = PAM_PERM_DENIED;
		set_result(j, rc, "user");
	}
out:
	if (pamh)
		pam_end(pamh, rc);
	sodium_memzero(j->password, sizeof(j->password));
	sodium_memzero(j->otp, sizeof(j->otp));
}

struct worker {
	struct kgw_pam_pool *p;
	unsigned int index;
};

static void *worker_main(void *arg)
{
	struct kgw_pam_pool *p = ((struct worker *)arg)->p;
	unsigned int self = ((struct worker *)arg)->index;
	struct job *j;

	free(arg);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->queue && !p->stopping)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->queue)
			break;
		j = p->queue;
		p->queue = j->next;
		if (!p->queue)
			p->queue_tail = &p->queue;
		p->queued--;
		p->running++;
		p->current[self] = j;
		pthread_mutex_unlock(&p->lock);

		run(j);

		pthread_mutex_lock(&p->lock);
		p->running--;
		p->current[self] = NULL;
		if (j->abandoned) {
			/* Its caller was answered at shutdown; the loop is gone. */
			job_free(j);
			break;
		}
		j->next = p->done;
		p->done = j;
		ev_async_send(p->loop, &p->async);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- the loop's side ---- */

static void deliver(struct kgw_pam_pool *p)
{
	struct job *list, *oldest = NULL, *next;

	pthread_mutex_lock(&p->lock);
	list = p->done;
	p->done = NULL;
	pthread_mutex_unlock(&p->lock);
	/* The list is newest first; answer in the order they finished. */
	for (; list; list = next) {
		next = list->next;
		list->next = oldest;
		oldest = list;
	}
	for (struct job *j = oldest; j; j = next) {
		next = j->next;
		j->done(j->arg, &j->res);
		job_free(j);
	}
}

static void async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	(void)loop;
	(void)revents;
	deliver(w->data);
}

static int copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		return -EINVAL;
	memcpy(dst, src, len + 1);
	return 0;
}

static struct job *job_new(const struct kgw_pam_request *req, kgw_pam_done_fn done, void *arg,
			   int *err)
{
	struct job *j = sodium_malloc(sizeof(*j));

	*err = -ENOMEM;
	if (!j)
		return NULL;
	memset(j, 0, sizeof(*j));
	j->done = done;
	j->arg = arg;
	j->has_confdir = req->confdir != NULL;
	j->has_otp = req->otp != NULL;
	*err = -EINVAL;
	if (copy(j->service, sizeof(j->service), req->service) ||
	    (req->confdir && copy(j->confdir, sizeof(j->confdir), req->confdir)) ||
	    copy(j->user, sizeof(j->user), req->user) ||
	    copy(j->password, sizeof(j->password), req->password) ||
	    (req->otp && copy(j->otp, sizeof(j->otp), req->otp)) ||
	    copy(j->rhost, sizeof(j->rhost), req->rhost ? req->rhost : "")) {
		job_free(j);
		return NULL;
	}
	*err = 0;
	return j;
}

int kgw_pam_submit(struct kgw_pam_pool *p, const struct kgw_pam_request *req,
		   kgw_pam_done_fn done, void *arg)
{
	struct job *j;
	int ret;

	pthread_mutex_lock(&p->lock);
	ret = p->stopping ? -ESHUTDOWN : p->queued >= p->queue_max ? -EAGAIN : 0;
	pthread_mutex_unlock(&p->lock);
	if (ret)
		return ret;
	j = job_new(req, done, arg, &ret);
	if (!j)
		return ret;
	pthread_mutex_lock(&p->lock);
	*p->queue_tail = j;
	p->queue_tail = &j->next;
	p->queued++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

unsigned int kgw_pam_busy(struct kgw_pam_pool *p)
{
	unsigned int n;

	pthread_mutex_lock(&p->lock);
	n = p->queued + p->running;
	pthread_mutex_unlock(&p->lock);
	return n;
}

/* Workers take no signals: SIGTERM and friends are the loop's business. */
static int start_workers(struct kgw_pam_pool *p, unsigned int workers)
{
	sigset_t all, old;
	int ret = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; p->nthreads < workers; p->nthreads++) {
		struct worker *w = malloc(sizeof(*w));

		if (!w) {
			ret = -ENOMEM;
			break;
		}
		*w = (struct worker){ p, p->nthreads };
		ret = -pthread_create(&p->threads[p->nthreads], NULL, worker_main, w);
		if (ret) {
			free(w);
			break;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ret;
}

struct kgw_pam_pool *kgw_pam_pool_new(struct ev_loop *loop, unsigned int workers,
				      unsigned int queue_max, int *err)
{
	struct kgw_pam_pool *p;

	*err = -EINVAL;
	if (!workers || workers > KGW_PAM_WORKERS_MAX || !queue_max)
		return NULL;
	/* sodium_malloc needs it; it is idempotent. */
	*err = -EIO;
	if (sodium_init() < 0)
		return NULL;
	*err = -ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->threads = calloc(workers, sizeof(*p->threads));
	p->current = calloc(workers, sizeof(*p->current));
	if (!p->threads || !p->current) {
		free(p->threads);
		free(p->current);
		free(p);
		return NULL;
	}
	p->loop = loop;
	p->queue_max = queue_max;
	p->queue_tail = &p->queue;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	ev_async_init(&p->async, async_cb);
	p->async.data = p;
	ev_async_start(loop, &p->async);
	*err = start_workers(p, workers);
	if (*err) {
		kgw_pam_pool_free(p);
		return NULL;
	}
	return p;
}

/* Joins the workers for up to KGW_PAM_STOP_WAIT; true if some are stuck. */
static bool join_workers(struct kgw_pam_pool *p)
{
	struct timespec deadline;
	bool stuck = false;

	clock_gettime(CLOCK_REALTIME, &deadline);	/* pthread_timedjoin_np's clock */
	deadline.tv_sec += KGW_PAM_STOP_WAIT;
	for (unsigned int i = 0; i < p->nthreads; i++) {
		if (pthread_timedjoin_np(p->threads[i], NULL, &deadline)) {
			pthread_detach(p->threads[i]);
			stuck = true;
		}
	}
	return stuck;
}

/* Answers the callers of the jobs stuck workers still hold. */
static void abandon_running(struct kgw_pam_pool *p)
{
	static const struct kgw_pam_result gone = { KGW_PAM_CANCELLED, PAM_ABORT, "authenticate",
						    "kgw-portal is shutting down" };
	struct {
		kgw_pam_done_fn done;
		void *arg;
	} stuck[KGW_PAM_WORKERS_MAX];
	unsigned int n = 0;

	/* Copied under the lock: once marked, the worker may free the job. */
	pthread_mutex_lock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++) {
		if (p->current[i]) {
			p->current[i]->abandoned = true;
			stuck[n].done = p->current[i]->done;
			stuck[n++].arg = p->current[i]->arg;
		}
	}
	pthread_mutex_unlock(&p->lock);
	kgw_warn("PAM: %u login(s) still stuck in a module at shutdown; not waiting for them", n);
	for (unsigned int i = 0; i < n; i++)
		stuck[i].done(stuck[i].arg, &gone);
}

void kgw_pam_pool_free(struct kgw_pam_pool *p)
{
	struct job *j;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	/* Queued jobs never run: they go back cancelled. */
	while ((j = p->queue)) {
		p->queue = j->next;
		j->res = (struct kgw_pam_result){ KGW_PAM_CANCELLED, PAM_ABORT, "start",
						  "kgw-portal is shutting down" };
		j->next = p->done;
		p->done = j;
	}
	p->queue_tail = &p->queue;
	p->queued = 0;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	if (join_workers(p)) {
		/*
		 * A module that never returns (a dead directory server without a
		 * time-out) must not keep kgw-portal from stopping. Its caller
		 * gets its answer now; the pool stays allocated for the stuck
		 * thread, which frees its job if it ever comes back.
		 */
		abandon_running(p);
		ev_async_stop(p->loop, &p->async);
		deliver(p);
		return;
	}
	ev_async_stop(p->loop, &p->async);
	deliver(p);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p->current);
	free(p);
}
