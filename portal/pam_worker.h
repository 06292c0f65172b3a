/* SPDX-License-Identifier: MIT */
/*
 * PAM off the event loop: a fixed pool of worker threads, each running one
 * whole PAM transaction at a time (start, authenticate, account, end), so
 * a slow module (a network directory, a fail delay) stalls only its worker.
 * Results come back to the loop thread through an ev_async.
 *
 * The conversation answers exactly two prompts, "Password: " and
 * "Verification code: " (echo off or on), from the request; any other
 * prompt fails the transaction. Secrets live in guarded memory
 * (sodium_malloc) and are wiped as soon as PAM is done with them.
 *
 * The loop must not be libev's default loop: that one reaps every child
 * (SIGCHLD), and modules like pam_exec wait for their own.
 */
#ifndef KGW_PAM_WORKER_H
#define KGW_PAM_WORKER_H

#include <ev.h>

enum kgw_pam_status {
	KGW_PAM_OK,			/* authenticated, and the account may log in */
	KGW_PAM_DENIED,			/* the credentials or the account were refused */
	KGW_PAM_UNAVAILABLE,		/* the stack failed, not the user (a broken store) */
	KGW_PAM_CANCELLED,		/* the pool shut down before it ran */
};

struct kgw_pam_result {
	enum kgw_pam_status status;
	int pam_code;			/* PAM's code, for the log */
	const char *stage;		/* "start", "authenticate", "account", "user" */
	const char *reason;		/* pam_strerror() of the code, for the log */
};

struct kgw_pam_request {
	const char *service;
	const char *confdir;		/* NULL: the system's (/etc/pam.d) */
	const char *user;
	const char *password;
	const char *otp;		/* NULL: the stack asks for none */
	const char *rhost;		/* the client's address, for modules that log it */
};

/*
 * Runs on the loop thread. `arg' is the pointer given to kgw_pam_submit(),
 * owned by the submitter; `res' is valid during the call only.
 */
typedef void (*kgw_pam_done_fn)(void *arg, const struct kgw_pam_result *res);

struct kgw_pam_pool;

/* On error NULL and a negative errno in *err. */
struct kgw_pam_pool *kgw_pam_pool_new(struct ev_loop *loop, unsigned int workers,
				      unsigned int queue_max, int *err)
	__attribute__((warn_unused_result));

/*
 * Copies the request (the caller may wipe its strings at once) and queues
 * it. -EAGAIN when the queue is full (answer 503), -EINVAL when a string is
 * too long, -ENOMEM. `done' is called exactly once when this returns 0.
 */
int kgw_pam_submit(struct kgw_pam_pool *p, const struct kgw_pam_request *req,
		   kgw_pam_done_fn done, void *arg) __attribute__((warn_unused_result));

/* Queued plus running transactions. */
unsigned int kgw_pam_busy(struct kgw_pam_pool *p);

/*
 * On the loop thread: cancels what is queued, waits for what is running,
 * and calls every outstanding `done' before returning.
 */
void kgw_pam_pool_free(struct kgw_pam_pool *p);

#endif
