/*
 * finish: ends a FastCGI request and its connection, for every accept loop
 * (the server's workers and the benchmark's null responder alike, so that
 * `make bench` compares like with like).
 */
#ifndef PS_FINISH_H
#define PS_FINISH_H

#include <stdbool.h>
#include <fcgiapp.h>

/* Whether the listening socket is a UNIX-domain one (finish_request's `local`). */
bool finish_is_local(int listen_fd);

/*
 * FCGX_Finish_r, without libfcgi's wait for the web server's close when the
 * connection is local and nothing is left unread on it. Read the request's
 * input to its end first (an authorizer has none): a web server that writes
 * its end-of-input record after the answer must find the connection open.
 */
void finish_request(FCGX_Request *fr, bool local);

#endif
